"use client";

import { useState, type FormEvent } from "react";
import { withField, type TFilterValues } from "@/components/lib/filters";
import { usePager } from "./pager";

/**
 * A list page's filter form (the audit log, the events): the fields edit a draft, the list follows the filters last
 * submitted rather than each keystroke, and a submit starts again from the newest page.
 */
export function useFilterForm<T extends TFilterValues>(empty: T) {
  const [draft, setDraft] = useState<T>(empty);
  const [filters, setFilters] = useState<T>(empty);
  const pager = usePager();
  const set = (key: keyof T) => (event: { target: { value: string } }) =>
    setDraft(withField(draft, key, event.target.value));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    pager.reset();
  };
  return { draft, filters, pager, set, onSubmit };
}

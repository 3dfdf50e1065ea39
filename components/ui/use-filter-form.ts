"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import {
  filtersFromSearch,
  searchOf,
  withField,
  type TFieldRule,
  type TFilterValues,
} from "@/components/lib/filters";
import { usePager } from "./pager";

/**
 * A list page's filter form (the audit log, the events): the fields edit a draft, the list follows the filters last
 * submitted rather than each keystroke, and a submit starts again from the newest page. The filters live in the
 * page's address too: a link can open the list filtered (a container's "all events"), and a reload keeps them.
 */
export function useFilterForm<T extends TFilterValues>(
  empty: T,
  rules: Partial<Record<keyof T, TFieldRule>> = {},
) {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const [draft, setDraft] = useState<T>(() => filtersFromSearch(empty, search, rules));
  const [filters, setFilters] = useState<T>(() => filtersFromSearch(empty, search, rules));
  const pager = usePager();
  const set = (key: keyof T) => (event: { target: { value: string } }) =>
    setDraft(withField(draft, key, event.target.value));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    pager.reset();
    router.replace(`${pathname}${searchOf(draft)}`, { scroll: false });
  };
  return { draft, filters, pager, set, onSubmit };
}

"use client";

import { useSyncExternalStore } from "react";

/** Whether the page is in dark mode (Tailwind's `dark:` follows the system setting), for canvas colours. */
const query = "(prefers-color-scheme: dark)";
const subscribe = (onChange: () => void) => {
  const media = window.matchMedia(query);
  media.addEventListener("change", onChange);
  return () => media.removeEventListener("change", onChange);
};
export const useDarkMode = () =>
  useSyncExternalStore(
    subscribe,
    () => window.matchMedia(query).matches,
    () => false,
  );

/**
 * A list page's filters as its form holds them (strings, "" for "any") and as its procedure takes them (absent for
 * "any", dates as dates).
 */
export type TFilterValues = Record<string, string>;

export const withField = <T extends TFilterValues>(filters: T, key: keyof T, value: string): T => ({
  ...filters,
  [key]: value,
});

/** A blank field filters nothing: absent from the request, not an empty match. */
export const optional = <V extends string>(value: V) =>
  value === "" ? undefined : (value as Exclude<V, "">);

/** A datetime-local field's value, read in the browser's time zone as the field shows it. */
export const optionalDate = (value: string) => (value === "" ? undefined : new Date(value));

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

/** The longest filter value read from a page's address (the procedures take at most 200 characters). */
const MAX_FROM_ADDRESS = 200;

/** What a field of the address may hold: a date field a datetime-local value, a select one of its options. */
export type TFieldRule = "date" | readonly string[];
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

const fits = (value: string, rule: TFieldRule | undefined) =>
  rule === undefined
    ? value.length <= MAX_FROM_ADDRESS
    : rule === "date"
      ? DATE_TIME.test(value) && Number.isFinite(new Date(value).getTime())
      : rule.includes(value);

/**
 * The filters a page's address holds (`/events?container=web1&type=job`): only the form's own fields, each a
 * string the field can show (a date as its field writes it, a select's value one of its options, text of at most
 * 200 characters); anything else is left blank, as is the rest of the address.
 */
export const filtersFromSearch = <T extends TFilterValues>(
  empty: T,
  search: { get: (key: string) => string | null },
  rules: Partial<Record<keyof T, TFieldRule>> = {},
): T =>
  Object.fromEntries(
    Object.entries(empty).map(([key, blank]) => {
      const value = search.get(key);
      return [key, value !== null && fits(value, rules[key as keyof T]) ? value : blank];
    }),
  ) as T;

/** The address's query for these filters: the fields set, in the form's order ("" for none at all). */
export const searchOf = (filters: TFilterValues) => {
  const search = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== "")).toString();
  return search === "" ? "" : `?${search}`;
};

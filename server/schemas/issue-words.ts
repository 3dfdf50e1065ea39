import { englishOf, type TLooseWords, type TValidationId } from "../i18n/validation-words";

/**
 * A schema's message from the `validation` catalogue (server/i18n/validation-words.ts), for zod: the issue says it
 * in English (`message`, as the API answers it) and carries its id and values in its `params`
 * (`{ i18n: id, ...values }`), so that a form and the tRPC error formatter can word it in the reader's language.
 */
export type TIssueParams = { readonly i18n: TValidationId; readonly [name: string]: string | number };

const paramsOf = (id: TValidationId, values: Record<string, string | number>): TIssueParams => ({
  ...values,
  i18n: id,
});

/**
 * A check's or a schema's message param: `.min(1, says("validation.containerName.empty"))`, `z.string(says(…))`,
 * `.refine(ok, says(…))`. A refinement's issue takes `params` as zod documents for custom issues; zod's own checks
 * (min, max, regex, a type or an enum) have no params option, so the error map, which zod calls with the issue it
 * is about to report, sets them on it (server/schemas/issue-words.test.ts checks every kind).
 */
export const says = (id: TValidationId, values: Record<string, string | number> = {}) => {
  const message = englishOf({ id, params: values });
  const params = paramsOf(id, values);
  return {
    params,
    error: (issue: object) => {
      Object.assign(issue, { params });
      return message;
    },
  };
};

/** A custom issue of a superRefine: `context.addIssue({ ...customIssue(id, values), path: ["ipv4"] })`. */
export const customIssue = (id: TValidationId, values: Record<string, string | number> = {}) => ({
  code: "custom" as const,
  message: englishOf({ id, params: values }),
  params: paramsOf(id, values),
});

/** The id and values an issue carries (null for zod's own messages, which stay as zod words them). */
export const issueWords = (issue: object): TLooseWords | null => {
  const params = (issue as { params?: Record<string, unknown> }).params;
  if (typeof params?.i18n !== "string") return null;
  const { i18n, ...values } = params;
  return { id: i18n, params: values };
};

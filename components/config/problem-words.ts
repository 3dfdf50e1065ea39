import { useTranslations } from "next-intl";
import { useMemo } from "react";
import { useValidationWords, type TSaidProblem } from "@/components/i18n/use-validation-words";
import type { TLooseWords } from "@/server/i18n/validation-words";
import type { TKeyInfo } from "@/server/schemas/lxc-config/catalogue";
import type { TConfigT } from "./config-editor-draft";

/**
 * The shared config rules (server/schemas/lxc-config/) in the page's language. Each finding names its sentence in
 * the `validation` catalogue with its values (the validator's line problems, a value's check, the reason a line is
 * the admin's: server/i18n/validation-words.ts), so it is worded from them, its English kept for one that names none
 * (a problem from elsewhere, such as the host paths' warnings). The catalogue's one-line description of each key is
 * the `config` catalogue's `keys`, by the key's id.
 */

/** The catalogue's key id of a key's description: lxc.net.N.ipv4.address is net_N_ipv4_address. */
export const descriptionId = (key: string) =>
  key
    .replace(/^lxc\./, "")
    .replace(/\./g, "_")
    .replace(/\*$/, "any");

/** A key's one-line description in the page's language (the hooks share one sentence). */
export const wordDescription = (t: TConfigT, info: TKeyInfo): string => {
  const hook = /^lxc\.hook\.(.+)$/.exec(info.key)?.[1];
  if (hook !== undefined && hook !== "version") return t("keys.hook", { hook });
  const key = `keys.${descriptionId(info.key)}`;
  return t.has(key as never) ? t(key as never) : info.description;
};

/** The rules' words for a component: `const words = useConfigWords(); words.problem(problem)`. */
export const useConfigWords = () => {
  const t = useTranslations("config");
  const validation = useValidationWords();
  return useMemo(
    () => ({
      /** A line problem (the validator's, or one the server sent) or a value's check. */
      problem: (problem: TSaidProblem) => validation.problem(problem),
      /** Why a line is the admin's: its sentence, else the English reason. */
      lock: (words: TLooseWords | null | undefined, reason: string) => validation.words(words, reason),
      description: (info: TKeyInfo) => wordDescription(t, info),
    }),
    [t, validation],
  );
};

export type TConfigWords = ReturnType<typeof useConfigWords>;

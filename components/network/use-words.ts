"use client";

import { useTranslations } from "next-intl";
import { useCallback } from "react";
import type { TWords } from "@/server/trpc/routers/network/network.types";

/**
 * A server sentence in the page's language: the network pages get the server's English (a plan's step, a readiness
 * check's detail, a change's outcome) with its words beside it (server/i18n/english.ts: the sentence's key in the
 * catalogues and its values). Worded from those when the catalogue has the sentence; the English otherwise (a
 * change recorded before words were kept, an error that named no sentence).
 */
type TTranslate = {
  (key: never, values?: never): string;
  has: (key: never) => boolean;
};

/** Only the server's own sentences and errors' messages are worded from words a response carries. */
const WORDED = /^(network\.server(\.[A-Za-z0-9]+)+|errors\.[A-Za-z0-9]+\.message)$/;
// (Letters and digits only: `t.has` follows the prototype chain, so `constructor` or `__proto__` must not pass.)
const INHERITED = /(^|\.)(constructor|prototype|toString|valueOf|hasOwnProperty)(\.|$)/;

export const wordIn = (t: TTranslate, english: string, words: TWords | null | undefined) => {
  if (!words || !WORDED.test(words.id) || INHERITED.test(words.id) || !t.has(words.id as never))
    return english;
  try {
    return t(words.id as never, words.params as never);
  } catch {
    return english;
  }
};

/** `const say = useWords(); say(step.description, step.words)`. */
export const useWords = () => {
  const t = useTranslations();
  return useCallback(
    (english: string, words: TWords | null | undefined) => wordIn(t as unknown as TTranslate, english, words),
    [t],
  );
};

import type { TErrorId, TErrorParams } from "../errors";
import { englishAt } from "./icu";
import { MESSAGES, type TMessages } from "./messages";

/**
 * The server's sentences that are not errors (a network plan's steps and warnings, a readiness check's detail, a
 * change's outcome...), worded from the catalogue as `said` words errors: the English for the API, the log and the
 * database, with the sentence's id and values beside it so that the pages word it in the reader's language. One
 * source: the English is the catalogue's (server/i18n/messages/en/network.json, under "server").
 *
 * An id is the sentence's whole key in the catalogues ("network.server.plan.createBridge"), so that a page words it
 * with one translator; a network change that failed keeps an error's sentence the same way ("errors.<id>.message").
 */

/** Dotted paths to every sentence of a part of the catalogue. */
type TPaths<T, P extends string = ""> = {
  [K in Extract<keyof T, string>]: T[K] extends string ? `${P}${K}` : TPaths<T[K], `${P}${K}.`>;
}[Extract<keyof T, string>];

/** A sentence of network.json's "server" part: "plan.createBridge", "change.rolledBack". */
export type TPhraseKey = TPaths<TMessages["network"]["server"]>;
export type TWordsParams = Record<string, string | number>;
/** A sentence's id in the catalogues and its values: what a page words it from. */
export type TWords = { id: string; params: TWordsParams };
/** A sentence in English with its words. */
export type TPhrase = TWords & { text: string };

/** The English of a sentence from its words (a phrase's text, worded again; tests compare them). */
export const inEnglish = ({ id, params }: TWords) => englishAt(MESSAGES.en, id, params);

/**
 * A sentence of the server's, from the catalogue: `phrase("plan.createBridge", { name: "br0" })` is
 * `{ text: "Create bridge br0", id: "network.server.plan.createBridge", params: { name: "br0" } }`. Numbers that
 * are not counted things (an MTU, a line number) are best given as strings: they are shown as they are.
 */
export const phrase = (key: TPhraseKey, params: TWordsParams = {}): TPhrase => {
  const id = `network.server.${key}`;
  return { text: inEnglish({ id, params }), id, params };
};

/** An error's sentence (said(...)'s id, values and English) as a phrase: kept with what it ended. */
export const errorPhrase = ({
  id,
  params,
  message,
}: {
  id: TErrorId;
  params: TErrorParams;
  message: string;
}): TPhrase => ({ text: message, id: `errors.${id}.message`, params });

/** A phrase's words alone (its id and values), for a `words` field beside its English. */
export const wordsOf = ({ id, params }: TWords): TWords => ({ id, params });

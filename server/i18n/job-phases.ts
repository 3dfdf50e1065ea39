import { formatEnglish } from "./icu";
import english from "./messages/en/jobs.json" with { type: "json" };
import type { TMessages } from "./messages";

/**
 * What a running job is doing ("downloading packages", "restoring snap0"), worded from the catalogue
 * (server/i18n/messages/<language>/jobs.json, `phases`). The server stores and sends the English, which the API
 * keeps for scripts; the pages find the phase's id and values back from that English with `phaseWords` (the English
 * is made from the same templates, so it always reads back) and word it in the reader's language.
 */
export type TPhaseId = Extract<keyof TMessages["jobs"]["phases"], string>;
export type TPhaseParams = Record<string, string>;
/** A phase's English, made by `phase()` only. */
export type TPhase = string & { readonly __phase: true };

const templates = english.phases as Record<TPhaseId, string>;

export const phase = (id: TPhaseId, params: TPhaseParams = {}): TPhase =>
  formatEnglish(templates[id], params, id) as TPhase;

/** The longest phase `phaseWords` reads (the longest template with two container names stays well under). */
const MAX_PHASE = 300;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Each template as a pattern: its text literally, each {argument} as a group (templates hold no plural or select).
const PATTERNS = (Object.entries(templates) as [TPhaseId, string][]).map(([id, template]) => {
  const names: string[] = [];
  const source = template
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!name) return escape(part);
      names.push(name);
      return "(.+?)";
    })
    .join("");
  return { id, names, pattern: new RegExp(`^${source}$`) };
});

/** The id and values of a phase's English, or null for one the catalogue does not make (an older job's). */
export const phaseWords = (text: string): { id: TPhaseId; params: TPhaseParams } | null => {
  // Phases are short; a long text (never made by phase()) is not matched at all, so no pattern runs long.
  if (text.length > MAX_PHASE) return null;
  for (const { id, names, pattern } of PATTERNS) {
    const match = pattern.exec(text);
    if (match)
      return { id, params: Object.fromEntries(names.map((name, index) => [name, match[index + 1] ?? ""])) };
  }
  return null;
};

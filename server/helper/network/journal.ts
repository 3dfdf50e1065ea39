import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeAtomically } from "../write-atomically";
import type { TNetworkLogLine, TNetworkOutcome } from "../contract/network";
import type { TPlanStep } from "../../host-network/plan";
import { wordsOf, type TPhrase, type TWords } from "../../i18n/english";

/**
 * The helper's journal of host network changes (network.json in its state directory, root only): the change in
 * flight or waiting for confirmation, written ahead of each step so that a helper that dies mid-change leaves
 * enough for the next one to undo it, and the last outcomes (the web tier asks after a restart). Each command's
 * line is kept in memory while its change runs, and in the outcome once it ends.
 */
export type TActiveChange = {
  id: string;
  steps: TPlanStep[];
  /** Steps counted before they run (written ahead): a step in flight at a crash is undone too. */
  done: number;
  /** Steps whose command returned (the rest of `done`, if any, was in flight). */
  logged: number;
  state: "applying" | "pending";
  rollbackAt: string | null;
  /** When its last step was made (ms). */
  appliedAt: number;
  claimed: string[];
  released: string[];
};
export type TFinishedChange = {
  id: string;
  state: TNetworkOutcome;
  message: string | null;
  /** The message's words (none in a journal written before they were kept). */
  words?: TWords | null;
  failures: string[];
  log: TNetworkLogLine[];
};
type TJournal = { active: TActiveChange | null; finished: TFinishedChange[] };

const KEEP_FINISHED = 50;

export const createNetworkJournal = (stateDir: string) => {
  const file = path.join(stateDir, "network.json");
  let journal: TJournal = { active: null, finished: [] };
  const lines = new Map<string, TNetworkLogLine[]>();

  const save = async () => {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeAtomically(file, JSON.stringify(journal));
  };

  return {
    active: () => journal.active,
    /** The change about to run (saved with its first step). */
    begin: (entry: TActiveChange) => {
      journal = { ...journal, active: entry };
    },
    save,
    /** A command's line, kept with its change. */
    note: (id: string, line: TNetworkLogLine) => lines.set(id, [...(lines.get(id) ?? []), line]),
    linesOf: (id: string) => lines.get(id) ?? [],
    /** The change ended: its outcome recorded (the last KEEP_FINISHED are kept), nothing in flight. */
    finish: async (
      entry: TActiveChange,
      state: TNetworkOutcome,
      outcome: TPhrase | null,
      failures: string[],
    ) => {
      const record: TFinishedChange = {
        id: entry.id,
        state,
        message: outcome?.text ?? null,
        words: outcome ? wordsOf(outcome) : null,
        failures,
        log: lines.get(entry.id) ?? [],
      };
      lines.delete(entry.id);
      journal = { active: null, finished: [record, ...journal.finished].slice(0, KEEP_FINISHED) };
      await save();
      return record;
    },
    outcomeOf: (id: string) => journal.finished.find((entry) => entry.id === id) ?? null,
    /** What a previous helper left: its journal, and the change it had in flight or waiting, if any. */
    load: async () => {
      const text = await readFile(file, "utf8").catch(() => null);
      if (text) journal = JSON.parse(text) as TJournal;
      return journal.active;
    },
  };
};

export type TNetworkJournal = ReturnType<typeof createNetworkJournal>;

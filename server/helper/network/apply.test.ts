import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTranslator } from "use-intl/core";
import { inEnglish } from "../../i18n/english";
import { MESSAGES } from "../../i18n/messages";
import type { TLogger } from "../../log";
import { rolledBack } from "../contract/network";
import { createNetworkChanges } from "./apply";
import type { TActiveChange } from "./journal";

/**
 * What a helper does at its start with the change a previous one left in its journal. Every undo here is refused
 * before anything runs (no `ip` is run by this test): the rollback must still end, and the helper still start.
 */
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const stateDirWith = async (active: TActiveChange) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "atelier-network-journal-"));
  dirs.push(dir);
  await writeFile(path.join(dir, "network.json"), JSON.stringify({ active, finished: [] }));
  return dir;
};
const quietLog = () => ({ warn: vi.fn(), error: vi.fn() }) as unknown as TLogger;

const left: TActiveChange = {
  id: "5b0c8f51-2a0e-4f7e-9a4f-1d8c7a6b5e40",
  steps: [
    {
      description: "Set the MTU of lo to 9000",
      argv: ["ip", "link", "set", "lo", "mtu", "9000"],
      // As a plan once wrote it: a value no plan's command may take.
      undo: [{ description: "Set the MTU of lo back", argv: ["ip", "link", "set", "lo", "mtu", "70000"] }],
    },
    {
      description: "Delete bridge br0",
      argv: ["ip", "link", "del", "br0"],
      undo: [
        {
          description: "Create bridge br0 again",
          argv: ["ip", "link", "add", "name", "br0", "type", "bridge", "forward_delay", "28.999999999999996"],
        },
      ],
    },
  ],
  done: 2,
  logged: 2,
  state: "pending",
  rollbackAt: new Date(0).toISOString(),
  appliedAt: 0,
  claimed: [],
  released: ["br0"],
};

describe("recovering a network change at the helper's start", () => {
  it("ends even when its undo commands are refused: every undo tried, each failure recorded, nothing left in flight", async () => {
    const stateDir = await stateDirWith(left);
    const changes = createNetworkChanges({ stateDir, log: quietLog() });
    await expect(changes.recover()).resolves.toBeUndefined();

    const status = changes.status(left.id);
    expect(status.state).toBe("rolled-back");
    expect(status.message).toMatch(
      /^Atelier stopped before this change was confirmed: rolled back at start-up\. Some undo commands failed: ip link add name br0 .*; ip link set lo mtu 70000/,
    );
    // Its words, for the pages: the same sentence in English.
    expect(status.words).toMatchObject({
      id: "network.server.change.rolledBack",
      params: { reason: "startUp", then: "undoFailed" },
    });
    expect(status.words && inEnglish(status.words)).toBe(status.message);
    expect(status.log.map((line) => [line.argv.slice(1, 3).join(" "), line.ok, line.undo])).toEqual([
      ["link add", false, true],
      ["link set", false, true],
    ]);
    const saved = JSON.parse(await readFile(path.join(stateDir, "network.json"), "utf8")) as {
      active: unknown;
      finished: { id: string; failures: string[] }[];
    };
    expect(saved.active).toBeNull();
    expect(saved.finished[0]?.failures).toHaveLength(2);
  });

  it("starts anyway over a journal it cannot read", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "atelier-network-journal-"));
    dirs.push(dir);
    await writeFile(path.join(dir, "network.json"), "{ not json");
    const log = quietLog();
    await expect(createNetworkChanges({ stateDir: dir, log }).recover()).resolves.toBeUndefined();
    expect(vi.mocked(log.error)).toHaveBeenCalledOnce();
  });
});

describe("a rolled-back change's outcome", () => {
  // The English the API and its tests have always said, now worded from the catalogue.
  it.each([
    [{ reason: "timeout", seconds: 8 }, "Not confirmed within 8 s: rolled back automatically."],
    [{ reason: "actor", actor: "admin" }, "Rolled back by admin."],
    [{ reason: "webTier" }, "Rolled back when the web tier asked."],
    [{ reason: "startUp" }, "Atelier stopped before this change was confirmed: rolled back at start-up."],
    [{ reason: "stopped" }, "Atelier stopped before this change was confirmed."],
  ] as const)("%o: %s", (why, english) => {
    const outcome = rolledBack(why);
    expect(outcome.text).toBe(english);
    expect(inEnglish(outcome)).toBe(english);
    expect(rolledBack(why, { failures: ["ip a: no", "ip b: no"] }).text).toBe(
      `${english} Some undo commands failed: ip a: no; ip b: no`,
    );
    expect(rolledBack(why, { stoppedBy: "boom" }).text).toBe(`${english} The rollback stopped: boom`);
  });

  it("is worded in French from the same words", () => {
    const french = createTranslator({ locale: "fr", messages: MESSAGES.fr });
    const { id, params } = rolledBack({ reason: "timeout", seconds: 8 }, { failures: ["ip a: no"] });
    expect(french(id as never, params as never)).toBe(
      "Non confirmée dans les 8 s\u00a0: annulée automatiquement. Certaines commandes d’annulation ont échoué\u00a0: ip a: no",
    );
  });
});

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processesInGroup } from "@/tests/processes";
import { recoverProcessGroups, settleGroups } from "./groups";
import { isRunError, run, stream } from "./runner";

/**
 * The record of live groups, as the helper keeps it: a command that runs past a second is written down, and the
 * next helper (here: the next recoverProcessGroups) kills it.
 */
let stateDir = "";
beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "atelier-groups-"));
  expect(await recoverProcessGroups(stateDir)).toBe(0);
});
afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const recorded = async () =>
  JSON.parse(await readFile(path.join(stateDir, "process-groups.json"), "utf8").catch(() => "[]")) as {
    pgid: number;
    start: string;
  }[];

const waitFor = async (check: () => Promise<boolean>, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe("process groups", () => {
  it("never writes down a command that ends within a second", async () => {
    await run("/bin/sh", ["-c", "exit 0"], { timeoutMs: 5000 });
    expect(await recorded()).toEqual([]);
  });

  it("writes down a command that runs on, and a later helper kills its group", async () => {
    let pgid = 0;
    const done = stream("/bin/sh", ["-c", "sleep 100 & sleep 100"], {
      timeoutMs: 60_000,
      isJob: true,
      onLine: () => undefined,
      onStart: (id) => {
        pgid = id;
      },
    });
    await waitFor(async () => (await recorded()).some((entry) => entry.pgid === pgid));
    expect(await settleGroups(200)).toBe(false);

    // As a helper started after a crash would: the recorded group is killed, whatever its processes are.
    expect(await recoverProcessGroups(stateDir)).toBe(1);
    expect(await processesInGroup(pgid)).toEqual([]);
    // The command was killed by someone else: it ends with the signal's exit code, not a RunError.
    const result = await done.catch((error: unknown) => (isRunError(error) ? error : null));
    expect(result).toMatchObject({ exitCode: 143 });
    expect(await settleGroups(1000)).toBe(true);
    await waitFor(async () => (await recorded()).length === 0);
  });

  it("writes down a job's command at once, another command only after a second", async () => {
    const pgids = { job: 0, other: 0 };
    const controller = new AbortController();
    const start = (key: keyof typeof pgids) =>
      stream("/bin/sh", ["-c", "sleep 100"], {
        timeoutMs: 60_000,
        isJob: key === "job",
        signal: controller.signal,
        onLine: () => undefined,
        onStart: (id) => {
          pgids[key] = id;
        },
      }).catch(() => undefined);
    const startedAt = Date.now();
    const done = [start("other"), start("job")];
    // Well within the second after which any command is written down.
    await waitFor(async () => (await recorded()).some((entry) => entry.pgid === pgids.job), 800);
    // The other command, started first, is not written down yet (unless this machine took a second to get here).
    if (Date.now() - startedAt < 950)
      expect((await recorded()).map((entry) => entry.pgid)).not.toContain(pgids.other);
    controller.abort();
    await Promise.all(done);
    await waitFor(async () => (await recorded()).length === 0);
  });

  it("kills no process whose pid was reused since (another start time)", async () => {
    await writeFile(
      path.join(stateDir, "process-groups.json"),
      JSON.stringify([{ pgid: process.pid, start: "1" }, { pgid: 1, start: "x" }, { nonsense: true }]),
    );
    expect(await recoverProcessGroups(stateDir)).toBe(0);
  });
});

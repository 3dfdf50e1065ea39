import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { beingMadeDirOf, createBeingMade, wasBeingMade } from "./being-made";

const withState = async (work: (stateDir: string) => Promise<void>) => {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "atelier-being-made-"));
  try {
    await work(stateDir);
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
};

describe("the helper's marks of the containers it is making", () => {
  it("outlive the helper: a creation interrupted stays unfinished for the next process until it is cleared", async () => {
    await withState(async (stateDir) => {
      const before = createBeingMade({ stateDir });
      before.mark("web");
      expect(before.has("web")).toBe(true);
      expect(existsSync(path.join(beingMadeDirOf(stateDir), "web"))).toBe(true);
      // A new helper (or `atelier boot start`) after a crash: not its own mark, but unfinished all the same.
      const after = createBeingMade({ stateDir });
      expect(after.has("web")).toBe(false);
      expect(await after.unfinished("web")).toBe(true);
      expect(await wasBeingMade(stateDir, "web")).toBe(true);
      expect(await after.unfinished("db")).toBe(false);
      // The clean-up (destroy, discard) or rootfs.prepare clears it, whichever process does.
      after.clear("web");
      expect(await after.unfinished("web")).toBe(false);
      expect(await wasBeingMade(stateDir, "web")).toBe(false);
    });
  });

  it("still tells an hour-old mark from a creation (rootfs.prepare's ticket rule), but keeps it unfinished", async () => {
    await withState(async (stateDir) => {
      let now = 0;
      const marks = createBeingMade({ stateDir, now: () => now });
      marks.mark("web");
      now = 2 * 60 * 60 * 1000;
      expect(marks.has("web")).toBe(false);
      expect(await marks.unfinished("web")).toBe(true);
    });
  });

  it("never makes a file of a name that is not a container's", async () => {
    await withState(async (stateDir) => {
      createBeingMade({ stateDir }).mark("../escape");
      expect(existsSync(path.join(stateDir, "escape"))).toBe(false);
      expect(await wasBeingMade(stateDir, "../escape")).toBe(true);
    });
  });
});

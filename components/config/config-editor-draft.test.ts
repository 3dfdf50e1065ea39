import { describe, expect, it } from "vitest";
import type { TValidateConfigResponse } from "@/server/trpc/routers/config/config.types";
import {
  TABS,
  canApplyLive,
  checkLocally,
  historyReason,
  isDirtyDraft,
  isRunningState,
  lxcPathOf,
  reviewErrorsOf,
  reviewTitle,
  reviewedChangeNote,
  saveInput,
  savedChangeNote,
  textOf,
} from "./config-editor-draft";

const change = (extra: Partial<TValidateConfigResponse["changes"][number]> = {}) => ({
  key: "lxc.cgroup2.memory.max",
  before: [],
  after: ["512M"],
  apply: "live" as const,
  ...extra,
});

const review = (extra: Partial<TValidateConfigResponse> = {}): TValidateConfigResponse => ({
  version: "v1",
  problems: [],
  diff: "",
  changes: [],
  ...extra,
});

describe("the draft text", () => {
  it("shows the saved config until the first edit", () => {
    expect(textOf(null, "saved")).toBe("saved");
    expect(textOf("edited", "saved")).toBe("edited");
    expect(textOf("", "saved")).toBe("");
  });

  it("is dirty only when it differs from the saved config", () => {
    expect(isDirtyDraft(null, "saved")).toBe(false);
    expect(isDirtyDraft("saved", "saved")).toBe(false);
    expect(isDirtyDraft("", "saved")).toBe(true);
  });
});

describe("checkLocally", () => {
  it("says no error for a clean config", () => {
    const local = checkLocally("lxc.uts.name = web\n");
    expect(local).toMatchObject({ problems: [], errors: [], hasLegacy: false, summary: "No error found" });
  });

  it("counts errors, with the plural", () => {
    expect(checkLocally("lxc.tty.max = four\n").summary).toBe("1 error");
    expect(checkLocally("lxc.tty.max = four\nlxc.pty.max = many\n").summary).toBe("2 errors");
  });

  it("finds legacy keys, which can be migrated", () => {
    const local = checkLocally("lxc.utsname = web\n");
    expect(local.hasLegacy).toBe(true);
    expect(local.errors).toHaveLength(1);
  });

  it("counts warnings after the errors", () => {
    expect(checkLocally("lxc.uts.name = a\nlxc.uts.name = b\n").summary).toBe("No error found, 1 warning(s)");
    expect(checkLocally("lxc.tty.max = four\nno equals sign\n").summary).toBe("1 error, 1 warning(s)");
  });
});

describe("the container", () => {
  it("runs when running or frozen", () => {
    expect(isRunningState("RUNNING")).toBe(true);
    expect(isRunningState("FROZEN")).toBe(true);
    expect(isRunningState("STOPPED")).toBe(false);
    expect(isRunningState(undefined)).toBe(false);
  });

  it("lives in the directory above its own", () => {
    expect(lxcPathOf("/var/lib/lxc/web/config")).toBe("/var/lib/lxc");
    expect(lxcPathOf("/web/config")).toBe("/");
  });
});

describe("the review", () => {
  it("has no errors before there is one", () => {
    expect(reviewErrorsOf(null)).toEqual([]);
  });

  it("keeps only the errors, and says the config cannot be saved", () => {
    const errors = reviewErrorsOf(
      review({
        problems: [
          { line: 1, severity: "warning", message: "w" },
          { line: 2, severity: "error", message: "e" },
        ],
      }),
    );
    expect(errors).toEqual([{ line: 2, severity: "error", message: "e" }]);
    expect(reviewTitle("web", errors)).toBe("This config cannot be saved");
    expect(reviewTitle("web", [])).toBe("Save these changes to web?");
  });

  it("says a live change can apply now only to a running container", () => {
    expect(reviewedChangeNote(change(), true)).toBe("can apply now");
    expect(reviewedChangeNote(change(), false)).toBe("applies at the next start");
    expect(reviewedChangeNote(change({ apply: "restart" }), true)).toBe("applies at the next start");
  });

  it("offers to apply live only to a running container with a live change", () => {
    expect(canApplyLive(review({ changes: [change()] }), true)).toBe(true);
    expect(canApplyLive(review({ changes: [change()] }), false)).toBe(false);
    expect(canApplyLive(review({ changes: [change({ apply: "restart" })] }), true)).toBe(false);
  });
});

describe("saveInput", () => {
  const base = { name: "web", text: "raw", review: review({ version: "v7" }), isImported: false };

  it("saves against the reviewed version", () => {
    expect(saveInput({ ...base, isRunning: true, applyLive: true })).toEqual({
      name: "web",
      raw: "raw",
      baseVersion: "v7",
      applyLive: true,
      reason: "save",
    });
  });

  it("applies live only to a running container", () => {
    expect(saveInput({ ...base, isRunning: false, applyLive: true }).applyLive).toBe(false);
    expect(saveInput({ ...base, isRunning: true, applyLive: false }).applyLive).toBe(false);
  });

  it("records an imported text as an import", () => {
    expect(saveInput({ ...base, isRunning: false, applyLive: true, isImported: true }).reason).toBe("import");
  });
});

describe("savedChangeNote", () => {
  it("says what became of each saved change", () => {
    expect(savedChangeNote(change({ applied: { ok: true } }), true)).toBe(
      "applied to the running container now",
    );
    expect(savedChangeNote(change({ applied: { ok: false, message: "busy" } }), true)).toBe(
      "not applied now (busy); it applies at the next start",
    );
    expect(savedChangeNote(change(), true)).toBe("applies at the next start (not applied live)");
    expect(savedChangeNote(change(), false)).toBe("applies at the next start");
    expect(savedChangeNote(change({ apply: "restart" }), true)).toBe("applies at the next start");
  });
});

describe("the page", () => {
  it("has the settings, text and history tabs, in that order", () => {
    expect(TABS.map((tab) => tab.label)).toEqual(["Settings", "Text", "History"]);
  });

  it("words the history's reasons, and shows an unknown one as recorded", () => {
    expect(historyReason("found")).toBe("as first found on disk");
    expect(historyReason("import")).toBe("imported");
    expect(historyReason("migrated")).toBe("migrated");
    expect(historyReason("constructor")).toBe("constructor");
  });
});

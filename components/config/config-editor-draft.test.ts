import { createTranslator } from "use-intl/core";
import { describe, expect, it } from "vitest";
import { MESSAGES } from "@/server/i18n/messages";
import type { TValidateConfigResponse } from "@/server/trpc/routers/config/config.types";
import {
  TABS,
  canApplyLive,
  checkLocally,
  historyReason,
  isDirtyDraft,
  isRunningState,
  localSummary,
  lxcPathOf,
  reviewErrorsOf,
  reviewTitle,
  reviewedChangeNote,
  saveInput,
  savedChangeNote,
  tabLabel,
  textOf,
} from "./config-editor-draft";

const t = createTranslator({ locale: "en", messages: MESSAGES.en, namespace: "config" });
const fr = createTranslator({ locale: "fr", messages: MESSAGES.fr, namespace: "config" });
const summary = (text: string) => localSummary(t, checkLocally(text));

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
    expect(local).toMatchObject({ problems: [], errors: [], warnings: 0, hasLegacy: false });
    expect(localSummary(t, local)).toBe("No error found");
  });

  it("counts errors, with the plural", () => {
    expect(summary("lxc.tty.max = four\n")).toBe("1 error");
    expect(summary("lxc.tty.max = four\nlxc.pty.max = many\n")).toBe("2 errors");
  });

  it("finds legacy keys, which can be migrated", () => {
    const local = checkLocally("lxc.utsname = web\n");
    expect(local.hasLegacy).toBe(true);
    expect(local.errors).toHaveLength(1);
  });

  it("counts warnings after the errors", () => {
    expect(summary("lxc.uts.name = a\nlxc.uts.name = b\n")).toBe("No error found, 1 warning(s)");
    expect(summary("lxc.tty.max = four\nno equals sign\n")).toBe("1 error, 1 warning(s)");
  });

  it("says it in French too", () => {
    expect(localSummary(fr, checkLocally("lxc.tty.max = four\nno equals sign\n"))).toBe(
      "1 erreur, 1 avertissement",
    );
    expect(localSummary(fr, checkLocally(""))).toBe("Aucune erreur trouvée");
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
    expect(reviewTitle(t, "web", errors)).toBe("This config cannot be saved");
    expect(reviewTitle(t, "web", [])).toBe("Save these changes to web?");
    expect(reviewTitle(fr, "web", [])).toBe("Enregistrer ces modifications de web\u00a0?");
  });

  it("says a live change can apply now only to a running container", () => {
    expect(reviewedChangeNote(t, change(), true)).toBe("can apply now");
    expect(reviewedChangeNote(t, change(), false)).toBe("applies at the next start");
    expect(reviewedChangeNote(t, change({ apply: "restart" }), true)).toBe("applies at the next start");
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
    expect(savedChangeNote(t, change({ applied: { ok: true } }), true)).toBe(
      "applied to the running container now",
    );
    expect(savedChangeNote(t, change({ applied: { ok: false, message: "busy" } }), true)).toBe(
      "not applied now (busy); it applies at the next start",
    );
    expect(savedChangeNote(t, change(), true)).toBe("applies at the next start (not applied live)");
    expect(savedChangeNote(t, change(), false)).toBe("applies at the next start");
    expect(savedChangeNote(t, change({ apply: "restart" }), true)).toBe("applies at the next start");
  });
});

describe("the page", () => {
  it("has the settings, text and history tabs, in that order", () => {
    expect(TABS.map((tab) => tabLabel(t, tab))).toEqual(["Settings", "Text", "History"]);
    expect(TABS.map((tab) => tabLabel(fr, tab))).toEqual(["Réglages", "Texte", "Historique"]);
  });

  it("words the history's reasons, and shows an unknown one as recorded", () => {
    expect(historyReason(t, "found")).toBe("as first found on disk");
    expect(historyReason(t, "import")).toBe("imported");
    expect(historyReason(fr, "import")).toBe("importée");
    expect(historyReason(t, "migrated")).toBe("migrated");
    expect(historyReason(t, "constructor")).toBe("constructor");
  });
});

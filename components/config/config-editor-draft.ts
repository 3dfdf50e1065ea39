import type { useTranslations } from "next-intl";
import { validateConfig, type TConfigProblem } from "@/server/schemas/lxc-config/validate";
import type {
  TConfigChangeResponse,
  TSaveConfigRequest,
  TValidateConfigResponse,
} from "@/server/trpc/routers/config/config.types";

/**
 * The config editor's draft: one text that the settings form and the raw editor both edit, null until the first
 * edit (the saved config is shown), and what the page says of it: the browser's own check, the review's verdict,
 * what each saved change did, and the input of config.save. The words come from the `config` catalogue, through
 * the page's `t`.
 */
export type TConfigT = ReturnType<typeof useTranslations<"config">>;

export type TTab = "settings" | "text" | "history";
export const TABS: readonly TTab[] = ["settings", "text", "history"];
export const tabLabel = (t: TConfigT, tab: TTab) => t(`editor.tabs.${tab}`);

/** The text being edited: the draft once there is one, the saved config until then. */
export const textOf = (draft: string | null, original: string) => draft ?? original;

/** Unsaved changes: a draft that differs from the saved config (editing back to it is no change). */
export const isDirtyDraft = (draft: string | null, original: string) => draft !== null && draft !== original;

/** Whether the container runs (a frozen one too): live changes can apply to it now. */
export const isRunningState = (state: string | undefined) => state === "RUNNING" || state === "FROZEN";

/** The browser's own check of the text (the same rules as the server's, without liblxc's parser). */
export const checkLocally = (text: string) => {
  const problems = validateConfig(text);
  const errors = problems.filter((problem) => problem.severity === "error");
  return {
    problems,
    errors,
    warnings: problems.length - errors.length,
    hasLegacy: problems.some((problem) => problem.replacement !== undefined),
  };
};

/** The check in a few words: the errors (or none), then the warnings if any. */
export const localSummary = (t: TConfigT, local: { errors: readonly unknown[]; warnings: number }) => {
  const errors =
    local.errors.length > 0 ? t("summary.errors", { count: local.errors.length }) : t("summary.noError");
  return local.warnings > 0 ? t("summary.withWarnings", { errors, count: local.warnings }) : errors;
};

/** The directory the container's config lives in: the config's path is LXCPATH/NAME/config. */
export const lxcPathOf = (configPath: string) => configPath.split("/").slice(0, -2).join("/") || "/";

export const reviewErrorsOf = (review: TValidateConfigResponse | null): TConfigProblem[] =>
  review?.problems.filter((problem) => problem.severity === "error") ?? [];

export const reviewTitle = (t: TConfigT, name: string, reviewErrors: readonly TConfigProblem[]) =>
  reviewErrors.length > 0 ? t("review.cannotSave") : t("review.confirm", { name });

/** When a reviewed change would take effect. */
export const reviewedChangeNote = (t: TConfigT, change: TConfigChangeResponse, isRunning: boolean) =>
  change.apply === "live" && isRunning ? t("changes.canApplyNow") : t("changes.atNextStart");

/** The review offers to apply live changes only to a running container that has some. */
export const canApplyLive = (review: TValidateConfigResponse, isRunning: boolean) =>
  isRunning && review.changes.some((change) => change.apply === "live");

/**
 * What became of a saved change: applied at once, refused live (with liblxc's reason, as the server words it), or
 * at the next start.
 */
export const savedChangeNote = (t: TConfigT, change: TConfigChangeResponse, isRunning: boolean) =>
  change.applied?.ok
    ? t("changes.appliedNow")
    : change.applied
      ? t("changes.refusedLive", { message: change.applied.message })
      : change.apply === "live" && isRunning
        ? t("changes.notAppliedLive")
        : t("changes.atNextStart");

/**
 * config.save's input. The base version is the reviewed file's, so a file changed since the review is refused
 * rather than overwritten; live changes apply only to a running container.
 */
export const saveInput = ({
  name,
  text,
  review,
  isRunning,
  applyLive,
  isImported,
}: {
  name: string;
  text: string;
  review: TValidateConfigResponse;
  isRunning: boolean;
  applyLive: boolean;
  isImported: boolean;
}): TSaveConfigRequest => ({
  name,
  raw: text,
  baseVersion: review.version,
  applyLive: isRunning && applyLive,
  reason: isImported ? "import" : "save",
});

const REASONS = ["found", "save", "restore", "import"] as const;
const isKnownReason = (reason: string): reason is (typeof REASONS)[number] =>
  (REASONS as readonly string[]).includes(reason);

/** Why a version was recorded, in words (a reason this page does not know is shown as recorded). */
export const historyReason = (t: TConfigT, reason: string) =>
  isKnownReason(reason) ? t(`history.reasons.${reason}`) : reason;

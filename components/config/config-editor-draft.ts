import { validateConfig, type TConfigProblem } from "@/server/schemas/lxc-config/validate";
import type {
  TConfigChangeResponse,
  TSaveConfigRequest,
  TValidateConfigResponse,
} from "@/server/trpc/routers/config/config.types";

/**
 * The config editor's draft: one text that the settings form and the raw editor both edit, null until the first
 * edit (the saved config is shown), and what the page says of it: the browser's own check, the review's verdict,
 * what each saved change did, and the input of config.save.
 */
export type TTab = "settings" | "text" | "history";
export const TABS: { id: TTab; label: string }[] = [
  { id: "settings", label: "Settings" },
  { id: "text", label: "Text" },
  { id: "history", label: "History" },
];

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
  const warnings = problems.length - errors.length;
  return {
    problems,
    errors,
    hasLegacy: problems.some((problem) => problem.replacement !== undefined),
    summary:
      (errors.length > 0 ? `${errors.length} error${errors.length === 1 ? "" : "s"}` : "No error found") +
      (warnings > 0 ? `, ${warnings} warning(s)` : ""),
  };
};

/** The directory the container's config lives in: the config's path is LXCPATH/NAME/config. */
export const lxcPathOf = (configPath: string) => configPath.split("/").slice(0, -2).join("/") || "/";

export const reviewErrorsOf = (review: TValidateConfigResponse | null): TConfigProblem[] =>
  review?.problems.filter((problem) => problem.severity === "error") ?? [];

export const reviewTitle = (name: string, reviewErrors: readonly TConfigProblem[]) =>
  reviewErrors.length > 0 ? "This config cannot be saved" : `Save these changes to ${name}?`;

/** When a reviewed change would take effect. */
export const reviewedChangeNote = (change: TConfigChangeResponse, isRunning: boolean) =>
  change.apply === "live" && isRunning ? "can apply now" : "applies at the next start";

/** The review offers to apply live changes only to a running container that has some. */
export const canApplyLive = (review: TValidateConfigResponse, isRunning: boolean) =>
  isRunning && review.changes.some((change) => change.apply === "live");

/** What became of a saved change: applied at once, refused live (with liblxc's reason), or at the next start. */
export const savedChangeNote = (change: TConfigChangeResponse, isRunning: boolean) =>
  change.applied?.ok
    ? "applied to the running container now"
    : change.applied
      ? `not applied now (${change.applied.message}); it applies at the next start`
      : change.apply === "live" && isRunning
        ? "applies at the next start (not applied live)"
        : "applies at the next start";

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

const REASONS = new Map([
  ["found", "as first found on disk"],
  ["save", "saved"],
  ["restore", "restored"],
  ["import", "imported"],
]);

/** Why a version was recorded, in words (a reason this page does not know is shown as recorded). */
export const historyReason = (reason: string) => REASONS.get(reason) ?? reason;

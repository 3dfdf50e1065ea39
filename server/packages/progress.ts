import { isCommandLine, progressOfLine, type TPackageAction } from "../schemas/packages";

/**
 * A package job's progress from the lines its helper call streams: each "$ …" line starts the next command of the
 * change (apt-get update, then the install; apk update, then the add), and apt's status lines ("[download 40%] …",
 * "[dpkg 20%] …") say how far the current one is. A list refresh counts for a fifth of the whole; within the change,
 * downloads are its first half and dpkg's work the second. Never goes back. Null (unknown) until a status line
 * comes: apk prints none.
 */
export const createPackageProgress = (action: TPackageAction) => {
  // The commands of a change: a refresh of the lists first, except for a removal.
  const steps =
    action === "remove"
      ? [{ from: 0, to: 100 }]
      : [
          { from: 0, to: 20 },
          { from: 20, to: 100 },
        ];
  let step = -1;
  let value: number | null = null;
  return {
    /** The progress after this line (0-100), or null while it cannot be known. */
    see: (line: string): number | null => {
      if (isCommandLine(line)) {
        step = Math.min(step + 1, steps.length - 1);
        const start = steps[step]?.from ?? 0;
        value = value === null ? (step > 0 ? start : null) : Math.max(value, start);
        return value;
      }
      const status = progressOfLine(line);
      const range = steps[Math.max(step, 0)];
      if (!status || status.kind === "error" || !range) return value;
      const within =
        steps.length > 1 && step === 0
          ? status.percent
          : status.kind === "download"
            ? status.percent / 2
            : 50 + status.percent / 2;
      const next = Math.round(range.from + ((range.to - range.from) * within) / 100);
      value = Math.max(value ?? 0, Math.min(next, 99));
      return value;
    },
    /** Which command of the change runs (0 the first), -1 before any. */
    step: () => step,
    /** How many commands the change runs. */
    steps: steps.length,
  };
};

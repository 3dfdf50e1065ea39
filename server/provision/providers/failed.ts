import { AppError } from "../../errors";
import { summariseStderr } from "../../schemas/lxc-stderr";

/** A provider's command that failed, as the job's error (its log has everything the command printed). */
export const commandFailed = (what: string, result: { exitCode: number; stderr: string; stdout: string }) =>
  new AppError("LXC_FAILED", {
    message: `${what} failed (exit ${result.exitCode}): ${summariseStderr(result.stderr) || result.stdout.trim().split("\n").slice(-3).join(" ") || "no output"}`,
    hint: "The job's log has everything the command printed.",
    stderr: result.stderr.trim().slice(-2000),
  });

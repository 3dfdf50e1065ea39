import { AppError, said } from "../../errors";
import { summariseStderr } from "../../schemas/lxc-stderr";

/** What failed: unpacking an archive, an lxc-copy of a container, or a command named as it ran. */
export type TFailedCommand =
  { what: "unpack" } | { what: "copy"; source: string } | { what: "command"; command: string };

/** A provider's command that failed, as the job's error (its log has everything the command printed). */
export const commandFailed = (
  failed: TFailedCommand,
  result: { exitCode: number; stderr: string; stdout: string },
) => {
  const output = summariseStderr(result.stderr) || result.stdout.trim().split("\n").slice(-3).join(" ");
  const params = { ...failed, exitCode: result.exitCode };
  return new AppError("LXC_FAILED", {
    ...(output ? said("commandFailed", { ...params, output }) : said("commandFailedSilent", params)),
    stderr: result.stderr.trim().slice(-2000),
  });
};

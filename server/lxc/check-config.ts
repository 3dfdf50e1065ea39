import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runTool, summariseStderr } from "./tools";

/**
 * liblxc's own verdict on a candidate config, without starting anything: the text is written to a throwaway lxcpath
 * and loaded by `lxc-info` (~0.1 s). It catches what a catalogue of ours would miss (and LXC refuses every command
 * on a container whose config it cannot load, even stop). Cgroup values are only checked by LXC at start.
 *
 * liblxc opens a config's log files as it loads it: those lines point into the throwaway directory for the check
 * (same line numbers), so that checking a candidate never creates or appends to a file on the host.
 */
const HOST_WRITES = /^([ \t]*lxc\.(?:log\.file|console\.logfile)[ \t]*=[ \t]*).*$/gm;

export const withoutHostWrites = (text: string, dir: string) =>
  text.replace(HOST_WRITES, (_line, head: string) => `${head}${path.join(dir, "check.log")}`);

export type TConfigVerdict = { isValid: true } | { isValid: false; line: number | null; message: string };

export const checkConfigWithLiblxc = async (text: string): Promise<TConfigVerdict> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "atelier-config-check-"));
  try {
    const containerDir = path.join(dir, "candidate");
    await mkdir(containerDir);
    await writeFile(path.join(containerDir, "config"), withoutHostWrites(text, containerDir));
    const result = await runTool(
      "lxc-info",
      ["-P", dir, "-n", "candidate", "-c", "lxc.uts.name", "-l", "ERROR"],
      {
        timeoutMs: 15_000,
      },
    );
    if (result.exitCode === 0) return { isValid: true };
    const failedLine = /at line "(.*)"$/m.exec(result.stderr)?.[1];
    const index =
      failedLine === undefined
        ? -1
        : text.split("\n").findIndex((line) => line.replace(/\r$/, "").trim() === failedLine.trim());
    const reason = result.stderr
      .split("\n")
      .find((line) => line.startsWith("lxc-info") && !/Failed to parse config file/.test(line));
    return {
      isValid: false,
      line: index === -1 ? null : index + 1,
      message:
        reason === undefined && failedLine !== undefined
          ? "LXC cannot parse this line (the value is not one it accepts for this key)"
          : summariseStderr(reason ?? result.stderr)
              // "Invalid argument - Unsupported config key ..." -> "Unsupported config key ..."
              .replace(/^[A-Z][A-Za-z ]+ - /, ""),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

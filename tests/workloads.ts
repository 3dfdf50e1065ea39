import { execa } from "execa";
import { lxcPath } from "./lxc-oracle";

/**
 * Work run inside a test's own busybox containers with `lxc-attach`, to make their usage move (test code only).
 */
const attach = (name: string, script: string) =>
  execa("lxc-attach", ["-P", lxcPath(), "-n", name, "--", "sh", "-c", script]);

/** A busy loop in the background: one CPU fully used until the container stops. */
export const startCpuBurner = async (name: string) => {
  await attach(name, "(while :; do :; done) >/dev/null 2>&1 &");
};

/**
 * A shell variable of `bytes` bytes, held for `holdSeconds`. Resolves with the attach's exit code: 137 when the
 * kernel killed it for lack of memory. (`sleep` must not be the last command: busybox sh would exec it and drop
 * the variable.)
 */
export const allocateMemory = async (name: string, bytes: number, holdSeconds = 0) => {
  const hold = holdSeconds > 0 ? `sleep ${holdSeconds}; ` : "";
  const result = await attach(
    name,
    `x=$(head -c ${bytes} /dev/zero | tr "\\0" a); ${hold}echo "\${#x}"`,
  ).catch((error: { exitCode?: number }) => error);
  return result.exitCode;
};

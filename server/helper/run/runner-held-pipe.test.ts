import { readFile, readdir } from "node:fs/promises";
import { expect, it } from "vitest";
import { run } from "./runner";

/**
 * A guest's program run through `lxc-attach` (no pty) gets lxc-attach's own stdout and stderr: a hostile guest's
 * `dpkg-query`, `systemctl` or `cat` can leave a process of another session (setsid) holding them open. Killing the
 * command's group cannot reach it, and the runner used to wait for the pipes to close: the call never ended (not even
 * at its timeout), and kept reading whatever that process printed. It must end once the command has exited.
 */
const MARK = `held-pipe-${process.pid}`;
const flooders = async () => {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(MARK)) found.push(Number(entry));
  }
  return found;
};

it("ends when its command exits, although a process outside its group holds its output open", async () => {
  const started = Date.now();
  const outcome = await run(
    "/bin/sh",
    ["-c", `setsid sh -c 'while :; do echo ${MARK}; sleep 0.05; done' & echo started`],
    { timeoutMs: 15_000, killGraceMs: 200 },
  ).then(
    (result) => ({ ok: true as const, exitCode: result.exitCode, stdout: result.stdout }),
    (error: unknown) => ({ ok: false as const, error: String(error) }),
  );
  try {
    expect(outcome).toMatchObject({ ok: true, exitCode: 0 });
    expect(Date.now() - started).toBeLessThan(8000);
    // The pipe closed on this side: the process left behind gets EPIPE (its shell dies of SIGPIPE).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await flooders()).toEqual([]);
  } finally {
    for (const pid of await flooders()) process.kill(pid, "SIGKILL");
  }
}, 30_000);

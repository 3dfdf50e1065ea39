import { readFile } from "node:fs/promises";
import { execa } from "execa";
import { expect } from "vitest";
import { lxcPath, lxcState } from "./lxc-oracle";
import { callProcedure, type TRunningServer } from "./server";

/**
 * What the tests of unprivileged containers and their bind mounts share: a container's id map as its page shows it,
 * starting and stopping it through the API, a command inside it, and its init's ids on the host.
 */
export type TIsolationPicture = {
  unprivileged: boolean;
  root: { uid: number; gid: number } | null;
  maps: { type: string; inside: number; host: number; count: number }[];
  idmappedRootfs: boolean;
  slot: number | null;
};

export const isolationOf = async (server: TRunningServer, name: string) =>
  (await callProcedure(server, "containers.isolation", { name }, { kind: "query", as: "viewer" }))
    .data as TIsolationPicture;

export const startThroughApi = async (server: TRunningServer, name: string) => {
  const started = await callProcedure(server, "containers.start", { name });
  expect(started.status, JSON.stringify(started.error)).toBe(200);
  expect(await lxcState(name)).toBe("RUNNING");
};

export const stopThroughApi = async (server: TRunningServer, name: string) => {
  const stopped = await callProcedure(server, "containers.stop", { name, force: true });
  expect(stopped.status, JSON.stringify(stopped.error)).toBe(200);
};

/** A command inside the container (lxc-attach, a clean environment), as root or as `ids` (`-u 1000 -g 1000`). */
export const attach = (name: string, argv: string[], ids: string[] = []) =>
  execa("lxc-attach", ["-P", lxcPath(), "-n", name, ...ids, "--clear-env", "--", ...argv], {
    reject: false,
    timeout: 20_000,
  });

/** The container's init's uid and gid on the host (/proc/PID/status). */
export const initIds = async (name: string) => {
  const pid = (await execa("lxc-info", ["-P", lxcPath(), "-n", name, "-p", "-H"])).stdout.trim();
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return { uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]), gid: Number(/^Gid:\s+(\d+)/m.exec(status)?.[1]) };
};

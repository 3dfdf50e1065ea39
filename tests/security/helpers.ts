import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import superjson from "superjson";
import { expect } from "vitest";
import type { TRole } from "@/server/auth/roles";
import { uniqueName } from "../lxc-oracle";
import { callProcedure, type TRunningServer } from "../server";

/**
 * Shared by the hostile tests: jobs awaited to their end, containers made through the API, and every byte, mode and
 * owner of the directory that stands for "the host" (useServer's hostDir, outside every rootfs), compared before
 * and after.
 */
/** Signs in through the API as a browser does: the session cookie and the origin header to send with it. */
export const signInAs = async (server: TRunningServer, username: string, password: string) => {
  const response = await fetch(`${server.url}/api/trpc/auth.signIn`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify(superjson.serialize({ username, password })),
  });
  expect(response.status).toBe(200);
  return { cookie: (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "", origin: server.url };
};

export type TJob = { id: string; state: string; error: string | null; log: string[] };

export const waitJob = async (server: TRunningServer, id: string, ms = 120_000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const job = (await callProcedure(server, "jobs.get", { id }, { kind: "query", as: "viewer" }))
      .data as TJob;
    if (job.state !== "running") return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still running`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** Creates a container through containers.create and waits for its job; returns the job as it ended. */
export const createThroughApi = async (
  server: TRunningServer,
  input: Record<string, unknown>,
  as: TRole = "operator",
) => {
  const name = (input.name as string | undefined) ?? uniqueName("sec");
  const response = await callProcedure(server, "containers.create", { name, ...input }, { as });
  const jobId = (response.data as { jobId?: string } | undefined)?.jobId;
  if (!jobId) return { name, response, job: null };
  return { name, response, job: await waitJob(server, jobId) };
};

export const createBusybox = async (
  server: TRunningServer,
  name = uniqueName("sec"),
  { privileged = false }: { privileged?: boolean } = {},
) => {
  // A privileged container (no id map: its root is host root) is an admin's to make.
  const made = privileged
    ? await createThroughApi(server, { name, rootfs: { kind: "busybox" }, privileged: true }, "admin")
    : await createThroughApi(server, { name, rootfs: { kind: "busybox" } });
  expect(made.job?.state, made.job?.log.slice(-10).join("\n")).toBe("succeeded");
  return name;
};

/** Every entry below a directory with its mode, owner and content: equal before and after means untouched. */
export const snapshotTree = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const rows = await Promise.all(
    entries.map(async (entry) => {
      const full = path.join(entry.parentPath, entry.name);
      const info = await stat(full).catch(() => null);
      const content = entry.isFile() ? await readFile(full, "utf8") : "";
      return `${path.relative(dir, full)} ${info?.mode.toString(8)} ${info?.uid}:${info?.gid} ${content}`;
    }),
  );
  return [`. ${(await stat(dir)).mode.toString(8)}`, ...rows.sort()];
};

export const configOf = async (server: TRunningServer, name: string, as: TRole = "operator") =>
  (await callProcedure(server, "config.get", { name }, { kind: "query", as })).data as {
    raw: string;
    version: string;
    entries: { line: number; key: string; adminOnly: string | null }[];
  };

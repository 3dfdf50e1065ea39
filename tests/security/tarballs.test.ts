import { existsSync } from "node:fs";
import { lstat, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { encode, PROTOCOL_VERSION } from "@/server/helper/contract/protocol";
import { helperSocketPath } from "@/server/layout";
import { rawPeer } from "../helper-peer";
import { writeTar, type TTarSpec } from "../hostile-tar";
import { lxcPath, uniqueName } from "../lxc-oracle";
import { useServer } from "../use-server";
import { createThroughApi, snapshotTree } from "./helpers";

/**
 * Hostile root filesystem archives, written member by member with Python's tarfile (which writes whatever it is
 * told) into the import directory, then given to containers.create, or straight to the helper's jobs.unpackTarball
 * on its socket as a compromised web tier would: each is refused before anything is unpacked, nothing is left in
 * the lxcpath, and the directories the members aim at (the directory standing for the host, with a file in it,
 * and this file's own import directory) are unchanged, links counted. Setuid bits are stripped unless an admin
 * keeps them; the container's directories get LXC's own modes.
 */
let web: { uid: number; gid: number };
const server = useServer({
  hostDir: true,
  beforeStart: async ({ hostDir }) => {
    await writeFile(path.join(hostDir, "secret"), "host secret\n");
    web = {
      uid: Number((await execa("id", ["-u", "atelier"])).stdout),
      gid: Number((await execa("id", ["-g", "atelier"])).stdout),
    };
  },
});
const { hostDir, made } = server;
const importDir = () => {
  const dir = process.env.ATELIER_IMPORT_DIRS?.split(":")[0];
  if (!dir) throw new Error("ATELIER_IMPORT_DIRS is not set");
  return dir;
};

const archive = (specs: TTarSpec[]) =>
  writeTar(specs, path.join(importDir(), `${uniqueName("t")}.tar.gz`), { gzip: true });
const BASE: TTarSpec[] = [
  { name: "./", type: "dir" },
  { name: "./bin/", type: "dir" },
  { name: "./bin/busybox", mode: 0o755 },
  { name: "./bin/sh", type: "symlink", link: "busybox" },
  { name: "./etc/", type: "dir" },
  { name: "./dev/", type: "dir" },
  { name: "./dev/null", type: "chr", dev: [1, 3] },
];

/** The directories the hostile members aim at: "the host" (a file in it) and this file's own import directory. */
type TWatched = { host: string; imports: string };
const watchedDirs = (): TWatched => ({ host: hostDir, imports: importDir() });
/** Each directory's every entry (content, mode, owner) and its links: a hard link made to a file in it shows too. */
const watch = async () =>
  Promise.all(
    Object.values(watchedDirs()).map(async (dir) => {
      const links = await Promise.all(
        (await readdir(dir, { recursive: true })).map(async (entry) => {
          const info = await lstat(path.join(dir, entry));
          return `${entry} ${info.isSymbolicLink() ? "link" : "entry"} nlink=${info.nlink}`;
        }),
      );
      return [dir, ...(await snapshotTree(dir)), ...links.sort()];
    }),
  );
/** A member name that climbs from anywhere in the lxcpath to an absolute path. */
const climbTo = (target: string) => `${"../".repeat(24)}${target.slice(1)}`;

/**
 * Archives whose members aim at the watched directories. GNU tar's own defaults (no -P) would refuse most of them
 * too; the checks must not depend on that: each is refused by the helper's check, naming why.
 */
const HOSTILE: [string, (watched: TWatched) => TTarSpec[], RegExp][] = [
  [
    "a block device (the host's disk)",
    () => [{ name: "./dev/sda", type: "blk", dev: [8, 0] }],
    /device node/,
  ],
  ["/dev/kmem", () => [{ name: "./dev/kmem", type: "chr", dev: [1, 2] }], /device node/],
  [
    "a hard link to a host file",
    ({ host }) => [{ name: "./etc/stolen", type: "hardlink", link: `${host}/secret` }],
    /hard link/,
  ],
  [
    "a hard link that climbs out",
    ({ host }) => [{ name: "./etc/stolen", type: "hardlink", link: climbTo(`${host}/secret`) }],
    /outside|hard link/,
  ],
  [
    "a member that climbs out",
    ({ host }) => [{ name: climbTo(`${host}/evil`) }],
    /outside the root filesystem/,
  ],
  ["an absolute member", ({ host }) => [{ name: `${host}/evil` }], /outside the root filesystem/],
  [
    "an absolute member into the import directory",
    ({ imports }) => [{ name: `${imports}/evil.tar.gz` }],
    /outside the root filesystem/,
  ],
  [
    "a member through a link to the host",
    ({ host }) => [{ name: "./x", type: "symlink", link: host }, { name: "./x/evil" }],
    /goes through the link x/,
  ],
  [
    "a member through a link that climbs to the import directory",
    ({ imports }) => [{ name: "./y", type: "symlink", link: climbTo(imports) }, { name: "./y/evil" }],
    /goes through the link y/,
  ],
];

describe("root filesystem archives", () => {
  it.each(HOSTILE)("refuses %s, unpacking nothing", async (_what, hostile, problem) => {
    const file = await archive([...BASE, ...hostile(watchedDirs())]);
    const before = await watch();
    const name = uniqueName("tar");
    made.push(name);
    const { response, job } = await createThroughApi(server, {
      name,
      rootfs: { kind: "tarball", path: file },
    });
    expect(await watch()).toEqual(before);
    expect(response.status).toBe(200);
    expect(job?.state).toBe("failed");
    expect(job?.error).toMatch(problem);
    expect(existsSync(path.join(lxcPath(), name))).toBe(false);
  });

  it("refuses them on the helper's own socket too: jobs.unpackTarball called as a compromised web tier", async () => {
    // The web tier's uid, on the running helper's socket: each archive into a container made for it (tarball.prepare).
    const socket = helperSocketPath(server.dataDir);
    const calls = (op: string, inputs: Record<string, unknown>[]) =>
      rawPeer(
        socket,
        [
          encode({ type: "hello", version: PROTOCOL_VERSION }),
          ...inputs.map((input, index) => encode({ type: "call", id: index + 1, op, input })),
        ],
        web,
      );
    const resultsOf = (messages: Record<string, unknown>[]) =>
      Object.fromEntries(
        messages
          .filter((message) => message.type === "result" || message.type === "error")
          .map((message) => [message.id as number, message]),
      );
    const cases = await Promise.all(
      HOSTILE.map(async ([what, hostile, problem]) => ({
        what,
        problem,
        name: uniqueName("raw"),
        file: await archive([...BASE, ...hostile(watchedDirs())]),
      })),
    );
    made.push(...cases.map(({ name }) => name));
    const before = await watch();
    try {
      const prepared = resultsOf(
        await calls(
          "tarball.prepare",
          cases.map(({ name }) => ({ name })),
        ),
      );
      cases.forEach((_, index) => expect(prepared[index + 1]?.type, JSON.stringify(prepared)).toBe("result"));
      const unpacked = resultsOf(
        await calls(
          "jobs.unpackTarball",
          cases.map(({ name, file }) => ({ path: file, name })),
        ),
      );
      expect(await watch()).toEqual(before);
      cases.forEach(({ what, problem }, index) => {
        const answer = unpacked[index + 1];
        expect(answer?.type, `${what}: ${JSON.stringify(answer)}`).toBe("result");
        const found = (answer?.data as { problem?: string | null } | undefined)?.problem;
        expect(found ?? "(no problem found: unpacked)", what).toMatch(problem);
      });
      for (const { name } of cases)
        expect(await readdir(path.join(lxcPath(), name, "rootfs")), name).toEqual([]);
    } finally {
      await calls(
        "lxc.removeLeftover",
        cases.map(({ name }) => ({ name })),
      );
      await Promise.all(
        cases.map(({ name }) => rm(path.join(lxcPath(), name), { recursive: true, force: true })),
      );
    }
    for (const { name } of cases) expect(existsSync(path.join(lxcPath(), name)), name).toBe(false);
  });

  it("strips setuid and setgid bits, unless an admin keeps them; directories get LXC's modes", async () => {
    const specs = [...BASE, { name: "./bin/passwd", mode: 0o4755 }, { name: "./bin/wall", mode: 0o2755 }];
    const stripped = await createThroughApi(server, {
      rootfs: { kind: "tarball", path: await archive(specs) },
    });
    made.push(stripped.name);
    expect(stripped.job?.state, stripped.job?.log.slice(-5).join("\n")).toBe("succeeded");
    const rootfs = path.join(lxcPath(), stripped.name, "rootfs");
    expect((await stat(path.join(rootfs, "bin/passwd"))).mode & 0o7777).toBe(0o755);
    expect((await stat(path.join(rootfs, "bin/wall"))).mode & 0o7777).toBe(0o755);
    // An unprivileged container's directory is root's alone (its idmapped rootfs holds host-root files).
    expect((await stat(path.join(lxcPath(), stripped.name))).mode & 0o777).toBe(0o700);
    expect((await stat(rootfs)).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(lxcPath(), stripped.name, "config"))).mode & 0o777).toBe(0o640);

    const operator = await createThroughApi(server, {
      rootfs: { kind: "tarball", path: await archive(specs), keepSetuid: true },
    });
    expect(operator.response.status).toBe(403);
    const kept = await createThroughApi(
      server,
      { rootfs: { kind: "tarball", path: await archive(specs), keepSetuid: true } },
      "admin",
    );
    made.push(kept.name);
    expect(kept.job?.state).toBe("succeeded");
    expect((await stat(path.join(lxcPath(), kept.name, "rootfs/bin/passwd"))).mode & 0o7777).toBe(0o4755);
  });
});

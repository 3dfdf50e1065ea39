import { existsSync } from "node:fs";
import { rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTar, type TTarSpec } from "../hostile-tar";
import { forceDestroy, lxcPath, uniqueName } from "../lxc-oracle";
import { startServer, type TRunningServer } from "../server";
import { createThroughApi, makeHostDir, snapshotTree } from "./helpers";

/**
 * Hostile root filesystem archives, written member by member with Python's tarfile (which writes whatever it is
 * told) into the import directory, then given to containers.create: each is refused before anything is unpacked,
 * nothing is left in the lxcpath, and the directory standing for the host is unchanged. Setuid bits are stripped
 * unless an admin keeps them; the container's directories get LXC's own modes.
 */
let server: TRunningServer;
let hostDir: string;
const made: string[] = [];
const importDir = () => {
  const dir = process.env.ATELIER_IMPORT_DIRS?.split(":")[0];
  if (!dir) throw new Error("ATELIER_IMPORT_DIRS is not set");
  return dir;
};

beforeAll(async () => {
  hostDir = await makeHostDir();
  await writeFile(path.join(hostDir, "secret"), "host secret\n");
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  await Promise.all(made.map(forceDestroy));
  await rm(hostDir, { recursive: true, force: true });
});

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

describe("root filesystem archives", () => {
  it.each<[string, TTarSpec[], RegExp]>([
    ["a block device (the host's disk)", [{ name: "./dev/sda", type: "blk", dev: [8, 0] }], /device node/],
    ["/dev/kmem", [{ name: "./dev/kmem", type: "chr", dev: [1, 2] }], /device node/],
    [
      "a hard link to a host file",
      [{ name: "./etc/stolen", type: "hardlink", link: "/etc/shadow" }],
      /hard link/,
    ],
    [
      "a hard link that climbs out",
      [{ name: "./etc/stolen", type: "hardlink", link: "../../../etc/shadow" }],
      /outside|hard link/,
    ],
    ["a member that climbs out", [{ name: "../../../../etc/cron.d/evil" }], /outside the root filesystem/],
    ["an absolute member", [{ name: "/etc/cron.d/evil" }], /outside the root filesystem/],
    [
      "a member through a link to the host",
      [{ name: "./x", type: "symlink", link: "/" }, { name: "./x/tmp/evil" }],
      /goes through the link x/,
    ],
  ])("refuses %s, unpacking nothing", async (_what, hostile, problem) => {
    const before = await snapshotTree(hostDir);
    const file = await archive([...BASE, ...hostile]);
    const name = uniqueName("tar");
    made.push(name);
    const { response, job } = await createThroughApi(server, {
      name,
      rootfs: { kind: "tarball", path: file },
    });
    expect(response.status).toBe(200);
    expect(job?.state).toBe("failed");
    expect(job?.error).toMatch(problem);
    expect(existsSync(path.join(lxcPath(), name))).toBe(false);
    expect(await snapshotTree(hostDir)).toEqual(before);
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
    expect((await stat(path.join(lxcPath(), stripped.name))).mode & 0o777).toBe(0o770);
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

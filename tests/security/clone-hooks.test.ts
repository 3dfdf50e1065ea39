import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import {
  appendFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { lxcPath, lxcState, uniqueName } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { configOf, createBusybox, createThroughApi, snapshotTree, waitJob, type TJob } from "./helpers";

/**
 * liblxc's clone runs every `lxc.hook.clone` of the new container's config as root on the host, with
 * LXC_ROOTFS_MOUNT set: for `lxc-copy` (with `-K` too), for `lxc-snapshot` (a clone into snaps/) and for every
 * restore (a clone of the snapshot). LXC's own common.conf sets clonehostname, which runs `sed -i` on `etc/hosts`,
 * `etc/sysconfig/network` and `etc/sysconfig/network-scripts/ifcfg-*` there, following links. Each case here gives a
 * busybox container that includes common.conf a link at one of those paths (`etc/hosts` to a host file holding a
 * secret; `etc/sysconfig`, by a relative `../` chain, to a host directory whose `network` file holds the names the
 * hook replaces), then asks for a full clone, an overlay clone, a snapshot, a restore as a new container and a
 * restore in place through the API: each is refused with a message naming the path and what to do, the host
 * directory stays byte for byte as it was, the secret is in no file of the lxcpath, and nothing is made. A clean
 * container with the same config is cloned, and its clone's etc/hosts shows the hook really runs here.
 *
 * And at start: a mount entry's `create=dir` whose target goes through a guest's link to a host directory is refused
 * (start and restart), nothing is made in the host directory.
 */
const server = useServer({ hostDir: true });
const { hostDir, made } = server;
let secretFile: string;
let secret: string;
const COMMON = "lxc.include = /usr/share/lxc/config/common.conf\n";

beforeAll(async () => {
  secret = `host-secret-${randomBytes(8).toString("hex")}`;
  secretFile = path.join(hostDir, "shadow");
  await writeFile(secretFile, `root:${secret}:19000:0:99999:7:::\n`, { mode: 0o600 });
});

const lxcKey = async (name: string, key: string, lxcpath = lxcPath()) =>
  (await execa("lxc-info", ["-P", lxcpath, "-n", name, "-c", key])).stdout.replace(/^[^=]*=\s*/, "").trim();

/** A stopped busybox container whose config includes LXC's common.conf (liblxc reads clonehostname from it). */
/** A source with LXC's clone hook; privileged for snapshot clones (lxc-copy cannot overlay an idmapped rootfs). */
const commonSource = async ({ privileged = false } = {}) => {
  const name = await createBusybox(server, uniqueName("hook"), { privileged });
  made.push(name);
  await appendFile(path.join(lxcPath(), name, "config"), COMMON);
  expect(await lxcKey(name, "lxc.hook.clone")).toBe("/usr/share/lxc/hooks/clonehostname");
  return name;
};

/** The hook's paths, made links to what stands for the host. */
const spellings = [
  {
    what: "etc/hosts, an absolute link to a host file",
    at: "etc/hosts",
    plant: async (rootfs: string) => {
      await rm(path.join(rootfs, "etc/hosts"), { force: true });
      await symlink(secretFile, path.join(rootfs, "etc/hosts"));
    },
  },
  {
    what: "etc/sysconfig, a relative ../ chain to a host directory holding network",
    at: "etc/sysconfig",
    plant: async (rootfs: string, names: string[]) => {
      // The host directory's network file holds every name the hook would replace (s|SRC|NEW|).
      const dir = path.join(hostDir, `sysconfig-${randomBytes(3).toString("hex")}`);
      await mkdir(dir, { mode: 0o755 });
      await writeFile(path.join(dir, "network"), names.map((name) => `HOSTNAME=${name}\n`).join(""), {
        mode: 0o644,
      });
      await rm(path.join(rootfs, "etc/sysconfig"), { recursive: true, force: true });
      await symlink(`../${"../".repeat(12)}${dir}`, path.join(rootfs, "etc/sysconfig"));
    },
  },
] as const;
type TSpelling = (typeof spellings)[number];

const jobOf = async (response: Awaited<ReturnType<typeof callProcedure>>) => {
  const jobId = (response.data as { jobId?: string } | undefined)?.jobId;
  expect(jobId, JSON.stringify(response.error)).toBeTruthy();
  return waitJob(server, jobId ?? "");
};

/** The files of the lxcpath holding the host's secret (grep -r follows no link): none but on the old code. */
const filesWithSecret = async () =>
  (await execa("grep", ["-rlF", secret, lxcPath()], { reject: false })).stdout.split("\n").filter(Boolean);

const expectRefused = (job: TJob | null, subject: RegExp, spelling: TSpelling) => {
  expect(job?.state, job?.log.slice(-10).join("\n")).toBe("failed");
  expect(job?.error).toMatch(subject);
  expect(job?.error).toContain("lxc.hook.clone = /usr/share/lxc/hooks/clonehostname");
  expect(job?.error).toMatch(new RegExp(`${spelling.at} in its root filesystem \\(.*\\) is a symbolic link`));
};

/** The snapshot's root filesystem (a directory container's snapshot is a copy). */
const snapshotRootfs = async (name: string, snapshot: string) => {
  const config = await readFile(path.join(lxcPath(), name, "snaps", snapshot, "config"), "utf8");
  const value = /^lxc\.rootfs\.path\s*=\s*(.+)$/m.exec(config)?.[1]?.trim() ?? "";
  return value.replace(/^dir:/, "");
};

/** A clean source with a snapshot (taken while it had no link), the link then planted in the snapshot. */
const hostileSnapshot = async (spelling: TSpelling) => {
  const source = await commonSource();
  const job = await jobOf(await callProcedure(server, "snapshots.create", { name: source }));
  expect(job.state, job.log.slice(-10).join("\n")).toBe("succeeded");
  const rootfs = await snapshotRootfs(source, "snap0");
  await spelling.plant(rootfs, [source, "snap0"]);
  return { source, rootfs };
};

describe("a clean container that includes common.conf", () => {
  it("is still cloned, and LXC's clone hook really runs on the clone (its etc/hosts gets the new name)", async () => {
    const source = await commonSource();
    await writeFile(path.join(lxcPath(), source, "rootfs/etc/hosts"), `127.0.1.1 ${source}\n`);
    const name = uniqueName("clean");
    made.push(name);
    const result = await createThroughApi(server, { name, rootfs: { kind: "clone", source } });
    expect(result.job?.state, result.job?.log.slice(-10).join("\n")).toBe("succeeded");
    expect(await readFile(path.join(lxcPath(), name, "rootfs/etc/hosts"), "utf8")).toBe(
      `127.0.1.1 ${name}\n`,
    );
    const snap = await jobOf(await callProcedure(server, "snapshots.create", { name: source }));
    expect(snap.state, snap.log.slice(-10).join("\n")).toBe("succeeded");
  });
});

describe.each(spellings)("with a guest's link at $what, and clonehostname in the config", (spelling) => {
  it("a full clone is refused, the host untouched, nothing made", async () => {
    const source = await commonSource();
    const name = uniqueName("full");
    made.push(name);
    await spelling.plant(path.join(lxcPath(), source, "rootfs"), [source, name]);
    const before = await snapshotTree(hostDir);
    const leaked = await filesWithSecret();
    const result = await createThroughApi(server, { name, rootfs: { kind: "clone", source } });
    expect(await filesWithSecret()).toEqual(leaked);
    expect(await snapshotTree(hostDir)).toEqual(before);
    expectRefused(result.job, new RegExp(`^"${source}" cannot be copied: `), spelling);
    expect(result.job?.error).toMatch(/Remove the link inside the container/);
    expect(await lxcState(name)).toBe("MISSING");
    expect(existsSync(path.join(lxcPath(), name))).toBe(false);
  });

  it("an overlay clone is refused, the host untouched, nothing made", async () => {
    const source = await commonSource({ privileged: true });
    const name = uniqueName("ovl");
    made.push(name);
    await spelling.plant(path.join(lxcPath(), source, "rootfs"), [source, name]);
    const before = await snapshotTree(hostDir);
    const leaked = await filesWithSecret();
    const result = await createThroughApi(
      server,
      { name, rootfs: { kind: "clone", source, snapshot: true }, privileged: true },
      "admin",
    );
    expect(await filesWithSecret()).toEqual(leaked);
    expect(await snapshotTree(hostDir)).toEqual(before);
    expectRefused(result.job, new RegExp(`^"${source}" cannot be copied: `), spelling);
    expect(await lxcState(name)).toBe("MISSING");
  });

  it("a snapshot is refused, the host untouched, no snapshot made", async () => {
    const source = await commonSource();
    await spelling.plant(path.join(lxcPath(), source, "rootfs"), [source, "snap0"]);
    const before = await snapshotTree(hostDir);
    const leaked = await filesWithSecret();
    const job = await jobOf(await callProcedure(server, "snapshots.create", { name: source }));
    expect(await filesWithSecret()).toEqual(leaked);
    expect(await snapshotTree(hostDir)).toEqual(before);
    expectRefused(job, new RegExp(`^"${source}" cannot be snapshotted: `), spelling);
    expect(existsSync(path.join(lxcPath(), source, "snaps", "snap0"))).toBe(false);
  });

  it("a snapshot restored as a new container is refused, the host untouched, nothing made", async () => {
    const { source, rootfs } = await hostileSnapshot(spelling);
    const name = uniqueName("asnew");
    made.push(name);
    const before = await snapshotTree(hostDir);
    const leaked = await filesWithSecret();
    const job = await jobOf(
      await callProcedure(server, "snapshots.restore", { name: source, snapshot: "snap0", newName: name }),
    );
    expect(await filesWithSecret()).toEqual(leaked);
    expect(await snapshotTree(hostDir)).toEqual(before);
    expectRefused(job, new RegExp(`^snap0 of "${source}" cannot be restored: `), spelling);
    expect(job.error).toMatch(/an admin can remove the link on the host/);
    expect(await lxcState(name)).toBe("MISSING");
    expect((await lstat(path.join(rootfs, spelling.at))).isSymbolicLink()).toBe(true);
  });

  it("a snapshot restored in place is refused, the host untouched, the container as it was", async () => {
    const { source } = await hostileSnapshot(spelling);
    const hostsBefore = await readFile(path.join(lxcPath(), source, "rootfs/etc/hosts"), "utf8").catch(
      () => null,
    );
    const before = await snapshotTree(hostDir);
    const leaked = await filesWithSecret();
    const job = await jobOf(
      await callProcedure(server, "snapshots.restore", { name: source, snapshot: "snap0" }),
    );
    expect(await filesWithSecret()).toEqual(leaked);
    expect(await snapshotTree(hostDir)).toEqual(before);
    expectRefused(job, new RegExp(`^snap0 of "${source}" cannot be restored: `), spelling);
    // Nothing ran: the container's own files are those it had, no link in them.
    const rootfs = path.join(lxcPath(), source, "rootfs");
    expect(await readFile(path.join(rootfs, "etc/hosts"), "utf8").catch(() => null)).toBe(hostsBefore);
    expect((await lstat(path.join(rootfs, "etc"))).isDirectory()).toBe(true);
    expect(await readlink(path.join(rootfs, spelling.at)).catch(() => null)).toBeNull();
  });
});

describe("a mount entry's create=dir through a guest's link", () => {
  it("refuses the start and the restart, and makes nothing in the host directory the link names", async () => {
    const name = await createBusybox(server, uniqueName("mkdir"));
    made.push(name);
    const target = path.join(hostDir, `target-${randomBytes(3).toString("hex")}`);
    await mkdir(target, { mode: 0o755 });
    const rootfs = path.join(lxcPath(), name, "rootfs");
    const before = await configOf(server, name);
    const line = "lxc.mount.entry = tmpfs evil/made-dir tmpfs defaults,create=dir 0 0";
    const raw = `${before.raw}${line}\n`;
    // create= is an admin's line now (an operator's is refused at save); the start check guards an admin's too.
    expect(
      (await callProcedure(server, "config.save", { name, raw, baseVersion: before.version })).status,
    ).toBe(403);
    const saved = await callProcedure(
      server,
      "config.save",
      { name, raw, baseVersion: before.version },
      { as: "admin" },
    );
    expect(saved.status, JSON.stringify(saved.error)).toBe(200);
    const lineNumber = raw.split("\n").indexOf(line) + 1;

    // Started while evil is a directory of its own: the tmpfs is mounted inside the container.
    await mkdir(path.join(rootfs, "evil"));
    const started = await callProcedure(server, "containers.start", { name });
    expect(started.status, JSON.stringify(started.error)).toBe(200);
    try {
      // The guest makes evil a link to the host directory (a relative ../ chain, as liblxc reads it on the host).
      await rm(path.join(rootfs, "evil"), { recursive: true });
      await symlink(`${"../".repeat(12)}${target.slice(1)}`, path.join(rootfs, "evil"));
      const restart = await callProcedure(server, "containers.restart", { name });
      expect(await readdir(target)).toEqual([]);
      expect(restart.status, JSON.stringify(restart.error)).toBe(412);
      expect(restart.error?.message).toContain(`"${name}" was not started: line ${lineNumber} (${line}`);
      expect(await lxcState(name)).toBe("RUNNING");
    } finally {
      await callProcedure(server, "containers.stop", { name, force: true });
    }
    const refused = await callProcedure(server, "containers.start", { name });
    expect(await readdir(target)).toEqual([]);
    expect(refused.status, JSON.stringify(refused.error)).toBe(412);
    expect(refused.error?.message).toContain(
      `line ${lineNumber} (lxc.mount.entry = tmpfs evil/made-dir tmpfs`,
    );
    expect(refused.error?.message).toContain("evil is a symbolic link");
    expect(refused.error?.message).toMatch(/Remove the link inside the container/);
    expect(await lxcState(name)).toBe("STOPPED");
    expect(await snapshotTree(target)).toEqual([`. 40755`]);
    expect(existsSync(path.join(target, "made-dir"))).toBe(false);
  });
});

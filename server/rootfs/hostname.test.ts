import { lstatSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasDependents, restoreHostnameProblem, setGuestHostname, storageOf } from "./hostname";

/**
 * The hostname a clone gets (LXC's own write of etc/hostname replaced by the rootfs module's) and the check before
 * LXC's in-place restore writes it: a guest's links at `etc` and `etc/hostname`, in a directory rootfs and in an
 * overlay's layers, never lead a write out, and every such link makes the restore refuse.
 */
let top: string;
let host: string;
let container: string;

const config = (rootfs: string) =>
  `lxc.uts.name = "source"\nlxc.net.0.type = empty\nlxc.rootfs.path = ${rootfs}\n`;

beforeEach(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-t-hostname-"));
  host = path.join(top, "host");
  container = path.join(top, "lxc", "clone");
  await mkdir(path.join(host, "dir"), { recursive: true });
  await writeFile(path.join(host, "hostname"), "the host\n", { mode: 0o644 });
  await writeFile(path.join(host, "dir/hostname"), "the host's dir\n", { mode: 0o644 });
  await mkdir(path.join(container, "rootfs/etc"), { recursive: true });
});
afterEach(async () => {
  await rm(top, { recursive: true, force: true });
});

const hostIsUntouched = () => {
  expect(readFileSync(path.join(host, "hostname"), "utf8")).toBe("the host\n");
  expect(readFileSync(path.join(host, "dir/hostname"), "utf8")).toBe("the host's dir\n");
};

const dirContainer = async () => {
  const rootfs = path.join(container, "rootfs");
  await writeFile(path.join(container, "config"), config(`dir:${rootfs}`));
  return rootfs;
};

/** overlay:LOWER:UPPER, both made here; `delta` is the upper layer. */
const overlayContainer = async () => {
  const lower = path.join(top, "lxc", "source", "rootfs");
  const upper = path.join(container, "overlay", "delta");
  await mkdir(path.join(lower, "etc"), { recursive: true });
  await mkdir(upper, { recursive: true });
  await writeFile(path.join(container, "config"), config(`overlay:${lower}:${upper}`));
  return { lower, upper };
};

describe("storageOf", () => {
  it("tells a directory, an overlay (several lower layers too) and other storage apart", async () => {
    const rootfs = await dirContainer();
    expect(await storageOf(`dir:${rootfs}`)).toEqual({ kind: "dir", path: rootfs });
    expect(await storageOf(rootfs)).toEqual({ kind: "dir", path: rootfs });
    expect(await storageOf("overlay:/a/rootfs:/b/delta")).toEqual({
      kind: "overlay",
      upper: "/b/delta",
      lowers: ["/a/rootfs"],
    });
    expect(await storageOf("overlayfs:/a:/b:/c/delta")).toMatchObject({
      upper: "/c/delta",
      lowers: ["/a", "/b"],
    });
    for (const other of ["btrfs:/x", "/dev/vg/lv", "loop:/x.img", "", undefined, path.join(top, "missing")])
      expect((await storageOf(other)).kind).toBe("other");
  });
});

describe("setGuestHostname", () => {
  it("sets lxc.uts.name and rewrites an existing etc/hostname in place, mode and owner kept", async () => {
    const rootfs = await dirContainer();
    await writeFile(path.join(rootfs, "etc/hostname"), "source\n", { mode: 0o640 });
    await setGuestHostname(container, "clone");
    expect(readFileSync(path.join(container, "config"), "utf8")).toBe(
      config(`dir:${rootfs}`).replace('"source"', "clone"),
    );
    expect(readFileSync(path.join(rootfs, "etc/hostname"), "utf8")).toBe("clone");
    expect(statSync(path.join(rootfs, "etc/hostname")).mode & 0o7777).toBe(0o640);
  });

  it("makes no etc/hostname where the guest has none (as LXC)", async () => {
    const rootfs = await dirContainer();
    await setGuestHostname(container, "clone");
    expect(() => lstatSync(path.join(rootfs, "etc/hostname"))).toThrow();
  });

  it.each([
    ["an absolute link to a host file", () => path.join(host, "hostname")],
    ["a relative link climbing out", () => `../../../../../../../../..${host}/hostname`],
    ["a link to a host directory's file through ..", () => `../${path.relative(top, host)}/dir/hostname`],
  ])("replaces %s at etc/hostname with a file of its own, the host file untouched", async (_, target) => {
    const rootfs = await dirContainer();
    await symlink(target(), path.join(rootfs, "etc/hostname"));
    await setGuestHostname(container, "clone");
    hostIsUntouched();
    expect(lstatSync(path.join(rootfs, "etc/hostname")).isFile()).toBe(true);
    expect(readFileSync(path.join(rootfs, "etc/hostname"), "utf8")).toBe("clone");
  });

  it("follows an etc that is a link only inside the rootfs (a host directory's name finds nothing there)", async () => {
    const rootfs = await dirContainer();
    await rm(path.join(rootfs, "etc"), { recursive: true });
    await symlink(path.join(host, "dir"), path.join(rootfs, "etc"));
    await setGuestHostname(container, "clone");
    hostIsUntouched();
    // Inside the rootfs the link names <rootfs><host>/dir, which the guest may own: written there, when it exists.
    await mkdir(path.join(rootfs, host, "dir"), { recursive: true });
    await writeFile(path.join(rootfs, host, "dir/hostname"), "old");
    await setGuestHostname(container, "again");
    hostIsUntouched();
    expect(readFileSync(path.join(rootfs, host, "dir/hostname"), "utf8")).toBe("again");
    expect(readlinkSync(path.join(rootfs, "etc"))).toBe(path.join(host, "dir"));
  });

  it("writes an overlay's hostname into its upper layer, whatever link the lower layer holds", async () => {
    const { lower, upper } = await overlayContainer();
    await chmod(path.join(lower, "etc"), 0o751);
    await symlink(path.join(host, "hostname"), path.join(lower, "etc/hostname"));
    await setGuestHostname(container, "clone");
    hostIsUntouched();
    expect(readFileSync(path.join(upper, "etc/hostname"), "utf8")).toBe("clone");
    expect(statSync(path.join(upper, "etc")).mode & 0o7777).toBe(0o751);
    expect(readlinkSync(path.join(lower, "etc/hostname"))).toBe(path.join(host, "hostname"));
  });

  it("leaves an overlay whose etc is a link (in its view) and one whose hostname is whited out as they are", async () => {
    const { lower, upper } = await overlayContainer();
    await rm(path.join(lower, "etc"), { recursive: true });
    await symlink(path.join(host, "dir"), path.join(lower, "etc"));
    await setGuestHostname(container, "clone");
    hostIsUntouched();
    expect(() => lstatSync(path.join(upper, "etc"))).toThrow();

    await rm(path.join(lower, "etc"));
    await mkdir(path.join(lower, "etc"));
    await writeFile(path.join(lower, "etc/hostname"), "source");
    await mkdir(path.join(upper, "etc"));
    await execa("mknod", [path.join(upper, "etc/hostname"), "c", "0", "0"]);
    await setGuestHostname(container, "clone");
    expect(lstatSync(path.join(upper, "etc/hostname")).isCharacterDevice()).toBe(true);
  });
});

describe("restoreHostnameProblem", () => {
  /** A snapshot directory as lxc-snapshot leaves it: config and rootfs. */
  const snapshotDir = async (shape: (rootfs: string) => Promise<void>) => {
    const dir = path.join(top, "snap0");
    await mkdir(path.join(dir, "rootfs/etc"), { recursive: true });
    await writeFile(path.join(dir, "config"), config(`dir:${path.join(dir, "rootfs")}`));
    await shape(path.join(dir, "rootfs"));
    return dir;
  };

  it("passes a snapshot whose etc/hostname is a file, a directory, or absent, and one without etc", async () => {
    for (const shape of [
      (rootfs: string) => writeFile(path.join(rootfs, "etc/hostname"), "x"),
      (rootfs: string) => mkdir(path.join(rootfs, "etc/hostname")),
      () => Promise.resolve(),
      (rootfs: string) => rm(path.join(rootfs, "etc"), { recursive: true }),
    ]) {
      expect(await restoreHostnameProblem(await snapshotDir(shape))).toBeNull();
      await rm(path.join(top, "snap0"), { recursive: true });
    }
  });

  it.each([
    [
      "etc/hostname, absolute",
      "etc/hostname",
      () => path.join(host, "hostname"),
      /etc\/hostname .* symbolic link/,
    ],
    [
      "etc/hostname, relative",
      "etc/hostname",
      () => "../../../../../../../..//tmp",
      /etc\/hostname .* symbolic link/,
    ],
    ["etc/hostname, dangling", "etc/hostname", () => "/nowhere/at/all", /etc\/hostname .* symbolic link/],
    ["etc, to a host directory", "etc", () => path.join(host, "dir"), /^etc .* symbolic link/],
    ["etc, inside the rootfs", "etc", () => "usr/etc", /^etc .* symbolic link/],
  ])("refuses a link at %s", async (_, at, target, message) => {
    const dir = await snapshotDir(async (rootfs) => {
      await rm(path.join(rootfs, at), { recursive: true, force: true });
      await symlink(target(), path.join(rootfs, at));
    });
    expect(await restoreHostnameProblem(dir)).toMatch(message);
  });

  it("refuses a device node or a FIFO at etc/hostname", async () => {
    for (const args of [["c", "1", "3"], ["p"]]) {
      const dir = await snapshotDir((rootfs) =>
        execa("mknod", [path.join(rootfs, "etc/hostname"), ...args]).then(),
      );
      expect(await restoreHostnameProblem(dir)).toMatch(/device, socket or FIFO/);
      await rm(dir, { recursive: true });
    }
  });

  it("passes an overlay snapshot whose upper layer settles etc/hostname; refuses one that leaves it to the lower", async () => {
    const { lower, upper } = await overlayContainer();
    await symlink(path.join(host, "hostname"), path.join(lower, "etc/hostname"));
    // Nothing in the upper layer: the lower layer, another container's rootfs, would decide.
    expect(await restoreHostnameProblem(container)).toMatch(/lower layer/);
    await mkdir(path.join(upper, "etc"));
    expect(await restoreHostnameProblem(container)).toMatch(/lower layer/);
    await writeFile(path.join(upper, "etc/hostname"), "clone");
    expect(await restoreHostnameProblem(container)).toBeNull();
    await rm(path.join(upper, "etc/hostname"));
    await symlink(path.join(host, "hostname"), path.join(upper, "etc/hostname"));
    expect(await restoreHostnameProblem(container)).toMatch(/symbolic link/);
    await rm(path.join(upper, "etc/hostname"));
    await execa("mknod", [path.join(upper, "etc/hostname"), "c", "0", "0"]);
    expect(await restoreHostnameProblem(container)).toBeNull();
  });

  it("refuses storage it cannot look into", async () => {
    await writeFile(path.join(container, "config"), config("btrfs:/somewhere"));
    expect(await restoreHostnameProblem(container)).toMatch(/not a directory or an overlay/);
  });
});

describe("hasDependents", () => {
  it("reads lxc_snapshots as liblxc's has_fs_snapshots does", async () => {
    expect(await hasDependents(container)).toBe(false);
    await writeFile(path.join(container, "lxc_snapshots"), "");
    expect(await hasDependents(container)).toBe(false);
    await writeFile(path.join(container, "lxc_snapshots"), "0\n");
    expect(await hasDependents(container)).toBe(false);
    await writeFile(path.join(container, "lxc_snapshots"), "2\n");
    expect(await hasDependents(container)).toBe(true);
    await writeFile(path.join(container, "lxc_snapshots"), "/var/lib/lxc\nclone2\n");
    expect(await hasDependents(container)).toBe(true);
  });
});

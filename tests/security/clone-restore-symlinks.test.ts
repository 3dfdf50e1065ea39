import { lstat, mkdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { openRootfs } from "@/server/rootfs";
import { lxcPath, uniqueName } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { createBusybox, createThroughApi, snapshotTree, waitJob, type TJob } from "./helpers";

/**
 * LXC's clone (lxc-copy without -K) and its snapshot restore (lxc-snapshot -r, in place or -N) write the new name
 * into <rootfs>/etc/hostname as root, on the host, following every link (liblxc's clone_update_rootfs). A guest
 * that makes `etc/hostname`, or `etc` itself, a link (absolute, or a relative chain of `..`) aims that write at a
 * host file. Each case here plants such a link in a busybox container, then clones it (full copy and overlay
 * snapshot clone) and restores a snapshot of it (as a new container, and in place) through the API: the host
 * files stay byte for byte as they were, and where the operation succeeds the new container has its own name, in
 * its config (lxc-info) and in its own etc/hostname (read inside its rootfs, no link followed out).
 */
const server = useServer({ hostDir: true });
const { hostDir, made } = server;

beforeAll(async () => {
  await mkdir(path.join(hostDir, "etc"));
  await writeFile(path.join(hostDir, "hostname"), "host-file-untouched\n", { mode: 0o644 });
  await writeFile(path.join(hostDir, "etc/hostname"), "host-dir-file-untouched\n", { mode: 0o644 });
});

const UP = "../".repeat(12);

/** Where the link goes (a host path), and which of the guest's paths it replaces. */
const spellings = [
  {
    what: "etc/hostname, an absolute link to a host file",
    at: "etc/hostname",
    to: () => `${hostDir}/hostname`,
  },
  {
    what: "etc/hostname, a relative ../ chain to a host file",
    at: "etc/hostname",
    to: () => `${UP}..${hostDir}/hostname`,
  },
  { what: "etc itself, an absolute link to a host directory", at: "etc", to: () => `${hostDir}/etc` },
  {
    what: "etc itself, a relative ../ chain to a host directory",
    at: "etc",
    to: () => `../${UP}${hostDir}/etc`,
  },
] as const;
type TSpelling = (typeof spellings)[number];

/** A stopped busybox container whose `at` is a link to `to`. */
/** A source with the link planted; privileged for snapshot clones (lxc-copy cannot overlay an idmapped rootfs). */
const hostileSource = async ({ at, to }: TSpelling, { privileged = false } = {}) => {
  const name = await createBusybox(server, uniqueName("evilhn"), { privileged });
  made.push(name);
  const target = path.join(lxcPath(), name, "rootfs", at);
  await rm(target, { recursive: true, force: true });
  await symlink(to(), target);
  return name;
};

const jobOf = async (response: Awaited<ReturnType<typeof callProcedure>>) => {
  const jobId = (response.data as { jobId?: string } | undefined)?.jobId;
  expect(jobId, JSON.stringify(response.error)).toBeTruthy();
  return waitJob(server, jobId ?? "");
};
const succeeded = (job: TJob | null) => expect(job?.state, job?.log.slice(-10).join("\n")).toBe("succeeded");

/** liblxc's own reading of a key of the container's config. */
const lxcKey = async (name: string, key: string) =>
  (await execa("lxc-info", ["-P", lxcPath(), "-n", name, "-c", key])).stdout.replace(/^[^=]*=\s*/, "").trim();

/**
 * The container's etc/hostname as the guest sees it, read inside its rootfs (an overlay: the upper layer first),
 * never following a link out; null when it has none.
 */
const guestHostname = async (name: string) => {
  // liblxc prints an overlay's path without its "overlay:" prefix: LOWER:UPPER.
  const value = (await lxcKey(name, "lxc.rootfs.path")).replace(/^(overlay|overlayfs|dir):/, "");
  const cut = value.lastIndexOf(":/");
  const layers = cut > 0 ? [value.slice(cut + 1), ...value.slice(0, cut).split(":")] : [value];
  for (const layer of layers) {
    const content = await openRootfs(layer).readFile("etc/hostname");
    if (content) return content.toString();
  }
  return null;
};

/** The name in the config; and in etc/hostname where the guest's etc is a directory (no etc there otherwise). */
const expectHostname = async (name: string, spelling: TSpelling) => {
  expect(await lxcKey(name, "lxc.uts.name")).toBe(name);
  expect(await guestHostname(name)).toBe(spelling.at === "etc/hostname" ? name : null);
};

const snapshot = async (name: string) => {
  succeeded(await jobOf(await callProcedure(server, "snapshots.create", { name })));
  return "snap0";
};

describe.each(spellings)("a guest's link at $what", (spelling) => {
  it("is not followed by a full clone: the host is untouched, the clone has its own hostname", async () => {
    const before = await snapshotTree(hostDir);
    const source = await hostileSource(spelling);
    const name = uniqueName("cln");
    made.push(name);
    const result = await createThroughApi(server, { name, rootfs: { kind: "clone", source } });
    succeeded(result.job);
    expect(await snapshotTree(hostDir)).toEqual(before);
    await expectHostname(name, spelling);
    // The source keeps its link.
    expect(await readlink(path.join(lxcPath(), source, "rootfs", spelling.at))).toBe(spelling.to());
  });

  it("is not followed by an overlay snapshot clone", async () => {
    const before = await snapshotTree(hostDir);
    const source = await hostileSource(spelling, { privileged: true });
    const name = uniqueName("ovl");
    made.push(name);
    // A snapshot clone (overlay) cannot be mounted idmapped: an admin's privileged one.
    const result = await createThroughApi(
      server,
      { name, rootfs: { kind: "clone", source, snapshot: true }, privileged: true },
      "admin",
    );
    succeeded(result.job);
    expect(await readFile(path.join(lxcPath(), name, "config"), "utf8")).toMatch(
      /^lxc\.rootfs\.path = overlay:/m,
    );
    expect(await snapshotTree(hostDir)).toEqual(before);
    await expectHostname(name, spelling);
  });

  it("is not followed by a snapshot restored as a new container", async () => {
    const before = await snapshotTree(hostDir);
    const source = await hostileSource(spelling);
    const snap = await snapshot(source);
    const name = uniqueName("asnew");
    made.push(name);
    const job = await jobOf(
      await callProcedure(server, "snapshots.restore", { name: source, snapshot: snap, newName: name }),
    );
    succeeded(job);
    expect(await snapshotTree(hostDir)).toEqual(before);
    await expectHostname(name, spelling);
  });

  it("makes a restore in place refuse, saying what to do, before LXC runs", async () => {
    const before = await snapshotTree(hostDir);
    const source = await hostileSource(spelling);
    const snap = await snapshot(source);
    const job = await jobOf(
      await callProcedure(server, "snapshots.restore", { name: source, snapshot: snap }),
    );
    expect(job.state).toBe("failed");
    expect(job.error).toMatch(/cannot be restored in place: .*symbolic link/);
    expect(job.error).toMatch(/as a new container/);
    expect(await snapshotTree(hostDir)).toEqual(before);
    // Nothing ran: the container is still there, its link as it was.
    expect(await lxcKey(source, "lxc.uts.name")).toBe(source);
    expect(await readlink(path.join(lxcPath(), source, "rootfs", spelling.at))).toBe(spelling.to());
  });
});

describe("a restore in place of an overlay clone's snapshot", () => {
  it("runs when the clone's own layer holds etc/hostname (LXC writes there), whatever link the source holds", async () => {
    const before = await snapshotTree(hostDir);
    const [absolute] = spellings;
    const source = await hostileSource(absolute, { privileged: true });
    const name = uniqueName("ovlr");
    made.push(name);
    succeeded(
      (
        await createThroughApi(
          server,
          { name, rootfs: { kind: "clone", source, snapshot: true }, privileged: true },
          "admin",
        )
      ).job,
    );
    const snap = await snapshot(name);
    succeeded(await jobOf(await callProcedure(server, "snapshots.restore", { name, snapshot: snap })));
    expect(await snapshotTree(hostDir)).toEqual(before);
    await expectHostname(name, absolute);
    const upper = path.join(lxcPath(), name, "overlay/delta/etc/hostname");
    expect((await lstat(upper)).isFile()).toBe(true);
  });

  it("refuses when what LXC writes would be decided by the source's layer, which the source can change", async () => {
    const before = await snapshotTree(hostDir);
    const etcLink = spellings[2];
    const source = await hostileSource(etcLink, { privileged: true });
    const name = uniqueName("ovlr");
    made.push(name);
    succeeded(
      (
        await createThroughApi(
          server,
          { name, rootfs: { kind: "clone", source, snapshot: true }, privileged: true },
          "admin",
        )
      ).job,
    );
    const snap = await snapshot(name);
    const job = await jobOf(await callProcedure(server, "snapshots.restore", { name, snapshot: snap }));
    expect(job.state).toBe("failed");
    expect(job.error).toMatch(/cannot be restored in place: .*lower layer/);
    expect(await snapshotTree(hostDir)).toEqual(before);
    // As a new container it is made, with its own name (a privileged one: an admin's).
    const copy = uniqueName("ovln");
    made.push(copy);
    succeeded(
      await jobOf(
        await callProcedure(
          server,
          "snapshots.restore",
          { name, snapshot: snap, newName: copy },
          { as: "admin" },
        ),
      ),
    );
    expect(await snapshotTree(hostDir)).toEqual(before);
    await expectHostname(copy, etcLink);
  });
});

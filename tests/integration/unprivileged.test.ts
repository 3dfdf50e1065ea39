import { readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { lxcPath, lxcState, uniqueName } from "../lxc-oracle";
import { attach, initIds, isolationOf, startThroughApi, stopThroughApi } from "../containers";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * Unprivileged containers against real LXC (issue: unprivileged by default). The test's mount namespace has its
 * own /etc over the host's (scripts/netns-sysfs.sh) with empty /etc/subuid and /etc/subgid, as on a fresh Debian:
 * the helper gives root the pool there when it starts, and newuidmap (which liblxc uses) reads them.
 */
const server = useServer();
const created = server.made;

type TJob = { id: string; state: string; error: string | null; log: string[]; result: unknown };
const waitJob = async (id: string, ms = 120_000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const current = (await callProcedure(server, "jobs.get", { id }, { kind: "query", as: "viewer" }))
      .data as TJob;
    if (current.state !== "running") return current;
    if (Date.now() > deadline) throw new Error(`job ${id} still running`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
};
const succeeded = async (response: { status: number; data?: unknown; error?: unknown }) => {
  expect(response.status, JSON.stringify(response.error)).toBe(200);
  const finished = await waitJob((response.data as { jobId: string }).jobId);
  expect(finished.state, `${finished.error}\n${finished.log.slice(-20).join("\n")}`).toBe("succeeded");
  return finished;
};
const create = async (input: Record<string, unknown>, as: "operator" | "admin" = "operator") => {
  const name = (input.name as string | undefined) ?? uniqueName("unp");
  created.push(name);
  const response = await callProcedure(server, "containers.create", { name, ...input }, { as });
  return { name, response };
};
const createBusybox = async (extra: Record<string, unknown> = {}, as: "operator" | "admin" = "operator") => {
  const { name, response } = await create({ rootfs: { kind: "busybox" }, ...extra }, as);
  await succeeded(response);
  return name;
};
const picture = (name: string) => isolationOf(server, name);
const start = (name: string) => startThroughApi(server, name);
const stop = (name: string) => stopThroughApi(server, name);
const configOf = (name: string) => readFile(path.join(lxcPath(), name, "config"), "utf8");

describe("unprivileged containers", () => {
  it("gives root the pool in /etc/subuid and /etc/subgid, and says the host can run them", async () => {
    expect(await readFile("/etc/subuid", "utf8")).toContain("root:1000000:65536000");
    expect(await readFile("/etc/subgid", "utf8")).toContain("root:1000000:65536000");
    const status = await callProcedure(server, "containers.hostIsolation", undefined, { kind: "query" });
    expect(status.status, JSON.stringify(status.error)).toBe(200);
    expect(status.data).toMatchObject({
      pool: { first: 1000000, slots: 1000 },
      idmappedRootfs: { supported: true },
      lxcPathBlockedAt: null,
      unprivilegedByDefault: true,
    });
    expect((status.data as { subids: { state: string }[] }).subids.map((file) => file.state)).toEqual([
      "granted",
      "granted",
    ]);
  });

  it("makes a new container unprivileged by default: root inside is 0, its init a pool uid on the host", async () => {
    const name = await createBusybox();
    const shown = await picture(name);
    expect(shown).toMatchObject({ unprivileged: true, idmappedRootfs: true });
    expect(shown.root?.uid).toBeGreaterThanOrEqual(1000000);
    expect(shown.root?.uid).toBe(shown.root?.gid);
    expect(shown.slot).toBe((shown.root!.uid - 1000000) / 65536);
    const config = await configOf(name);
    expect(config).toContain(`lxc.idmap = u 0 ${shown.root?.uid} 65536`);
    expect(config).toContain("lxc.rootfs.options = idmap=container");
    // The files on disk keep their owners (the mount maps them); the container directory is root's alone.
    const dir = await stat(path.join(lxcPath(), name));
    expect([dir.uid, dir.mode & 0o777]).toEqual([0, 0o700]);
    await start(name);
    expect((await attach(name, ["id", "-u"])).stdout.trim()).toBe("0");
    expect((await attach(name, ["cat", "/proc/self/uid_map"])).stdout.trim().split(/\s+/)).toEqual([
      "0",
      String(shown.root?.uid),
      "65536",
    ]);
    expect(await initIds(name)).toEqual({ uid: shown.root?.uid, gid: shown.root?.gid });
    // Root inside owns its root filesystem (not nobody), and can write in it.
    expect((await attach(name, ["stat", "-c", "%u %g", "/etc/passwd"])).stdout.trim()).toBe("0 0");
    expect((await attach(name, ["touch", "/root/made-inside"])).exitCode).toBe(0);
    // What container root makes through the idmapped mount is host root's on disk, a setuid program too: no host
    // user but root may reach it (the container's directory is 0700).
    expect((await attach(name, ["sh", "-c", "cp /bin/busybox /tmp/sb && chmod 4755 /tmp/sb"])).exitCode).toBe(
      0,
    );
    const planted = path.join(lxcPath(), name, "rootfs", "tmp", "sb");
    expect((await stat(planted)).uid).toBe(0);
    const asNobody = await execa("runuser", ["-u", "nobody", "--", planted, "true"], {
      reject: false,
    });
    expect(asNobody.exitCode).not.toBe(0);
    expect(asNobody.stderr).toMatch(/Permission denied/);
    await stop(name);
  });

  it("gives two containers disjoint ranges, a clone its own, and frees a range on destroy", async () => {
    const first = await createBusybox();
    const second = await createBusybox();
    const [a, b] = [await picture(first), await picture(second)];
    expect(a.root && b.root && Math.abs(a.root.uid - b.root.uid)).toBeGreaterThanOrEqual(65536);
    const clone = uniqueName("unpc");
    created.push(clone);
    await succeeded(
      await callProcedure(server, "containers.create", {
        name: clone,
        rootfs: { kind: "clone", source: first },
      }),
    );
    const c = await picture(clone);
    expect(c.unprivileged).toBe(true);
    expect([a.root?.uid, b.root?.uid]).not.toContain(c.root?.uid);
    // lxc-copy gave the copy's directory to the source's mapped root: it is root's alone again.
    const dir = await stat(path.join(lxcPath(), clone));
    expect([dir.uid, dir.gid, dir.mode & 0o777]).toEqual([0, 0, 0o700]);
    await start(clone);
    expect((await attach(clone, ["id", "-u"])).stdout.trim()).toBe("0");
    expect(await initIds(clone)).toEqual(c.root);
    await stop(clone);
    // A snapshot clone (overlay) cannot be mounted idmapped: refused for an operator, saying why.
    const overlay = await callProcedure(server, "containers.create", {
      name: uniqueName("unpo"),
      rootfs: { kind: "clone", source: first, snapshot: true },
    });
    expect(overlay.status).toBe(412);
    expect(JSON.stringify(overlay.error)).toContain("overlay");
    // Nor an admin's privileged one: lxc-copy cannot overlay a root filesystem mounted idmapped.
    const privilegedOverlay = await callProcedure(
      server,
      "containers.create",
      {
        name: uniqueName("unpo"),
        rootfs: { kind: "clone", source: first, snapshot: true },
        privileged: true,
      },
      { as: "admin" },
    );
    expect(privilegedOverlay.status).toBe(412);
    expect(privilegedOverlay.error?.data).toMatchObject({ field: "rootfs.snapshot" });
    // Destroyed, its range is the next one given.
    expect((await callProcedure(server, "containers.destroy", { name: second })).status).toBe(200);
    const third = await createBusybox();
    expect((await picture(third)).root).toEqual(b.root);
  });

  it("refuses an operator a privileged container, and an id map onto another container's range", async () => {
    const refused = await create({ rootfs: { kind: "busybox" }, privileged: true });
    expect(refused.response.status).toBe(403);
    const name = await createBusybox();
    const other = await createBusybox();
    const theirs = (await picture(other)).root?.uid;
    const read = (await callProcedure(server, "config.get", { name }, { kind: "query" })).data as {
      raw: string;
      version: string;
    };
    const mine = (await picture(name)).root?.uid;
    const save = (raw: string) =>
      callProcedure(server, "config.save", { name, raw, baseVersion: read.version, applyLive: false });
    // Onto another container's range, outside the pool, or no map at all: the admin's.
    for (const raw of [
      read.raw.replaceAll(String(mine), String(theirs)),
      read.raw.replaceAll(String(mine), "70000"),
      read.raw.replace(/^lxc\.idmap = .*$/gm, ""),
    ]) {
      const saved = await save(raw);
      expect(saved.status, raw).toBe(403);
    }
  });

  it("converts a privileged container and back with its files' owners intact", async () => {
    const name = await createBusybox({ privileged: true }, "admin");
    expect((await picture(name)).unprivileged).toBe(false);
    await start(name);
    // A file owned by uid 1000 inside (and so on the host, privileged).
    expect(
      (await attach(name, ["sh", "-c", "echo hi > /home-file && chown 1000:1000 /home-file"])).exitCode,
    ).toBe(0);
    await stop(name);
    // Unprivileged: any operator.
    await succeeded(await callProcedure(server, "containers.convert", { name, to: "unprivileged" }));
    const shown = await picture(name);
    expect(shown).toMatchObject({ unprivileged: true, idmappedRootfs: true });
    await start(name);
    expect((await attach(name, ["stat", "-c", "%u %g", "/home-file"])).stdout.trim()).toBe("1000 1000");
    expect(await initIds(name)).toEqual(shown.root);
    await stop(name);
    // The snapshot taken first is there to undo it.
    const snapshots = (await callProcedure(server, "snapshots.list", { name }, { kind: "query" })).data as {
      comment: string | null;
    }[];
    expect(snapshots.some((snapshot) => snapshot.comment?.includes("unprivileged"))).toBe(true);
    // Back to privileged: an admin only.
    expect((await callProcedure(server, "containers.convert", { name, to: "privileged" })).status).toBe(403);
    await succeeded(
      await callProcedure(server, "containers.convert", { name, to: "privileged" }, { as: "admin" }),
    );
    expect((await picture(name)).unprivileged).toBe(false);
    const file = await stat(path.join(lxcPath(), name, "rootfs", "home-file"));
    expect([file.uid, file.gid]).toEqual([1000, 1000]);
    await start(name);
    expect((await attach(name, ["stat", "-c", "%u %g", "/home-file"])).stdout.trim()).toBe("1000 1000");
    await stop(name);
  });

  it("keeps a restored container's directory root's, and a restore from taking a range someone else now maps", async () => {
    const name = await createBusybox();
    const snapshot = async () => {
      const job = await succeeded(await callProcedure(server, "snapshots.create", { name }));
      return (job.result as { snapshot: string }).snapshot;
    };
    const snap = await snapshot();
    // lxc-snapshot -r gives the container's directory to its mapped root (liblxc remakes it): closed again.
    await succeeded(await callProcedure(server, "snapshots.restore", { name, snapshot: snap }));
    const dir = await stat(path.join(lxcPath(), name));
    expect([dir.uid, dir.gid, dir.mode & 0o777]).toEqual([0, 0, 0o700]);
    // The operator moves the container to another free range. Its snapshot keeps the old range reserved (a new
    // container gets another); an admin then gives that range to another container; restoring the snapshot
    // would map it twice: an admin's call.
    const before = (await picture(name)).root?.uid ?? 0;
    const read = (await callProcedure(server, "config.get", { name }, { kind: "query" })).data as {
      raw: string;
      version: string;
    };
    const moved = before + 65536 * 500;
    const saved = await callProcedure(server, "config.save", {
      name,
      raw: read.raw.replaceAll(String(before), String(moved)),
      baseVersion: read.version,
      applyLive: false,
    });
    expect(saved.status, JSON.stringify(saved.error)).toBe(200);
    const other = await createBusybox();
    const theirs = (await picture(other)).root?.uid ?? 0;
    expect(theirs).not.toBe(before);
    const otherConfig = (await callProcedure(server, "config.get", { name: other }, { kind: "query" }))
      .data as {
      raw: string;
      version: string;
    };
    const shared = await callProcedure(
      server,
      "config.save",
      {
        name: other,
        raw: otherConfig.raw.replaceAll(String(theirs), String(before)),
        baseVersion: otherConfig.version,
        applyLive: false,
      },
      { as: "admin" },
    );
    expect(shared.status, JSON.stringify(shared.error)).toBe(200);
    const restore = await callProcedure(server, "snapshots.restore", { name, snapshot: snap });
    const job = await waitJob((restore.data as { jobId: string }).jobId);
    expect(job.state).toBe("failed");
    expect(job.error).toMatch(/admin/);
    expect((await picture(name)).root?.uid).toBe(moved);
  });

  it("refuses an operator a privileged container restored as new from a privileged one's snapshot", async () => {
    const name = await createBusybox({ privileged: true }, "admin");
    const job = await succeeded(await callProcedure(server, "snapshots.create", { name }));
    const snap = (job.result as { snapshot: string }).snapshot;
    const copy = uniqueName("unpr");
    created.push(copy);
    const restore = await callProcedure(server, "snapshots.restore", { name, snapshot: snap, newName: copy });
    const restored = await waitJob((restore.data as { jobId: string }).jobId);
    expect(restored.state).toBe("failed");
    expect(restored.error).toMatch(/privileged container/);
    expect(await lxcState(copy)).toBe("MISSING");
  });

  it("snapshots and restores an unprivileged container with its private files and owners intact", async () => {
    const name = await createBusybox();
    const rootfs = path.join(lxcPath(), name, "rootfs");
    await start(name);
    expect(
      (
        await attach(name, [
          "sh",
          "-c",
          "echo secret > /root/private && chmod 600 /root/private && echo u > /user-file && chown 1000:1000 /user-file",
        ])
      ).exitCode,
    ).toBe(0);
    await stop(name);
    const started = Date.now();
    const job = await succeeded(await callProcedure(server, "snapshots.create", { name }));
    const snap = (job.result as { snapshot: string }).snapshot;
    await rm(path.join(rootfs, "root", "private"));
    await succeeded(await callProcedure(server, "snapshots.restore", { name, snapshot: snap }));
    const restored = await stat(path.join(rootfs, "root", "private"));
    expect([restored.uid, restored.mode & 0o777]).toEqual([0, 0o600]);
    expect(await readFile(path.join(rootfs, "root", "private"), "utf8")).toBe("secret\n");
    expect((await stat(path.join(rootfs, "user-file"))).uid).toBe(1000);
    // A busybox rootfs is copied twice in well under a minute.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

import { chown, link, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { lxcPath } from "../lxc-oracle";
import { attach, startThroughApi, stopThroughApi } from "../containers";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { configOf, createBusybox } from "../security/helpers";

/**
 * Bind mounts of unprivileged containers against real LXC: a host directory owned by 1000:1000 shows as nobody
 * inside a container mapped `0 N 65536`; an operator gives it to the container's uid 1000 (host N+1000), inside the
 * bind roots only; an admin maps host id 1000 through instead (root:1000:1 added to the test's own /etc/subuid and
 * /etc/subgid, scripts/netns-sysfs.sh). ATELIER_BIND_ROOTS is a directory of the test.
 */
const server = useServer({
  hostDir: true,
  env: ({ hostDir }) => ({ ATELIER_BIND_ROOTS: path.join(hostDir, "binds") }),
  beforeStart: async ({ hostDir }) => {
    await mkdir(path.join(hostDir, "binds"), { mode: 0o755 });
  },
});
const { hostDir, made } = server;

type TMount = {
  source: string;
  uid: number | null;
  gid: number | null;
  insideUid: number | null;
  insideGid: number | null;
  inBindRoots: boolean;
  systemPath: boolean;
};
type TPicture = {
  root: { uid: number; gid: number } | null;
  mounts: TMount[];
  passThrough: { uids: number[] };
};

const picture = async (name: string) => {
  const response = await callProcedure(server, "containers.binds", { name }, { kind: "query", as: "viewer" });
  expect(response.status, JSON.stringify(response.error)).toBe(200);
  return response.data as TPicture;
};
const mountOf = (shown: TPicture, source: string) => shown.mounts.find((mount) => mount.source === source);
const asUser1000 = ["-u", "1000", "-g", "1000"];
const start = (name: string) => startThroughApi(server, name);
const stop = (name: string) => stopThroughApi(server, name);
const addLine = async (name: string, line: string, as: "operator" | "admin" = "operator") => {
  const before = await configOf(server, name, as);
  const saved = await callProcedure(
    server,
    "config.save",
    { name, raw: `${before.raw}${line}\n`, baseVersion: before.version },
    { as },
  );
  expect(saved.status, JSON.stringify(saved.error)).toBe(200);
};

describe("bind mounts of unprivileged containers", () => {
  it("shows a host directory owned by 1000 as nobody inside; an operator gives it to the container's uid 1000, inside the bind roots only", async () => {
    const name = await createBusybox(server);
    made.push(name);
    const share = path.join(hostDir, "binds", "share");
    await mkdir(share, { mode: 0o755 });
    await writeFile(path.join(share, "f"), "host data");
    await chown(share, 1000, 1000);
    await chown(path.join(share, "f"), 1000, 1000);
    await mkdir(path.join(lxcPath(), name, "rootfs", "mnt", "share"), { recursive: true });
    await addLine(name, `lxc.mount.entry = ${share} mnt/share none bind 0 0`);

    const before = await picture(name);
    const root = before.root!;
    expect(root.uid).toBeGreaterThanOrEqual(1000000);
    // Busybox's config binds the host's /lib and /bin (root's: nobody inside, system paths); the share is ours.
    expect(before.mounts.find((mount) => mount.source === "/lib")).toMatchObject({
      insideUid: 65534,
      systemPath: true,
    });
    expect(mountOf(before, share)).toMatchObject({
      source: share,
      uid: 1000,
      gid: 1000,
      insideUid: 65534,
      insideGid: 65534,
      inBindRoots: true,
      systemPath: false,
    });

    await start(name);
    expect((await attach(name, ["stat", "-c", "%u %g", "/mnt/share"])).stdout.trim()).toBe("65534 65534");
    expect((await attach(name, ["touch", "/mnt/share/before"], asUser1000)).exitCode).not.toBe(0);

    const chowned = await callProcedure(server, "containers.chownBindSource", {
      name,
      source: share,
      insideUid: 1000,
      insideGid: 1000,
      recursive: true,
    });
    expect(chowned.status, JSON.stringify(chowned.error)).toBe(200);
    expect(chowned.data).toMatchObject({ uid: root.uid + 1000, gid: root.gid + 1000, changed: 2 });
    expect(mountOf(await picture(name), share)).toMatchObject({ insideUid: 1000, insideGid: 1000 });
    expect((await attach(name, ["stat", "-c", "%u %g", "/mnt/share/f"])).stdout.trim()).toBe("1000 1000");
    const made1000 = await attach(name, ["touch", "/mnt/share/made"], asUser1000);
    expect(made1000.exitCode, made1000.stderr).toBe(0);
    const onHost = await stat(path.join(share, "made"));
    expect([onHost.uid, onHost.gid]).toEqual([root.uid + 1000, root.gid + 1000]);

    // A path that is no bind source of the container: refused, whoever asks.
    const notSource = await callProcedure(server, "containers.chownBindSource", {
      name,
      source: path.join(hostDir, "binds"),
      insideUid: 0,
      insideGid: 0,
    });
    expect(notSource.status, JSON.stringify(notSource.error)).toBe(412);

    // An admin's bind source outside the bind roots: an operator may not give it away; a system path, nobody may.
    const outside = path.join(hostDir, "outside");
    await mkdir(outside, { mode: 0o755 });
    await chown(outside, 1000, 1000);
    await addLine(name, `lxc.mount.entry = ${outside} mnt/outside none bind,optional 0 0`, "admin");
    await addLine(name, `lxc.mount.entry = /etc mnt/etc none bind,ro,optional 0 0`, "admin");
    const shown = await picture(name);
    expect(shown.mounts.find((mount) => mount.source === outside)).toMatchObject({ inBindRoots: false });
    expect(shown.mounts.find((mount) => mount.source === "/etc")).toMatchObject({ systemPath: true });
    const byOperator = await callProcedure(server, "containers.chownBindSource", {
      name,
      source: outside,
      insideUid: 1000,
      insideGid: 1000,
    });
    expect(byOperator.status, JSON.stringify(byOperator.error)).toBe(403);
    expect(byOperator.error?.message).toContain("needs the ticket of an admin");
    const etc = await callProcedure(
      server,
      "containers.chownBindSource",
      { name, source: "/etc", insideUid: 0, insideGid: 0, recursive: false },
      { as: "admin" },
    );
    expect(etc.status, JSON.stringify(etc.error)).toBe(403);
    expect(etc.error?.message).toContain("one of the host's own directories");
    const untouched = await stat(outside);
    expect([untouched.uid, untouched.gid]).toEqual([1000, 1000]);
    const byAdmin = await callProcedure(
      server,
      "containers.chownBindSource",
      { name, source: outside, insideUid: 1000, insideGid: 1000 },
      { as: "admin" },
    );
    expect(byAdmin.status, JSON.stringify(byAdmin.error)).toBe(200);
    expect((await stat(outside)).uid).toBe(root.uid + 1000);
    await stop(name);
  });

  it("refuses an operator the bind root itself or a directory that holds another container's source, and never chowns a hard link into the tree", async () => {
    const [mine, theirs] = [await createBusybox(server), await createBusybox(server)];
    made.push(mine, theirs);
    const binds = path.join(hostDir, "binds");
    const parent = path.join(binds, "team");
    const theirSource = path.join(parent, "theirs");
    await mkdir(theirSource, { recursive: true, mode: 0o755 });
    await writeFile(path.join(theirSource, "secret"), "theirs", { mode: 0o600 });
    await addLine(
      theirs,
      `lxc.mount.entry = ${theirSource} mnt/theirs none bind,create=dir,optional 0 0`,
      "admin",
    );
    // The operator binds the parent read-only (allowed) and then asks to give it to their container: refused, it
    // would take the other container's data.
    await addLine(mine, `lxc.mount.entry = ${parent} mnt/team none bind,ro,optional 0 0`);
    await addLine(mine, `lxc.mount.entry = ${binds} mnt/all none bind,ro,optional 0 0`);
    for (const source of [parent, binds]) {
      const refused = await callProcedure(server, "containers.chownBindSource", {
        name: mine,
        source,
        insideUid: 0,
        insideGid: 0,
        recursive: true,
      });
      expect(refused.status, `${source}: ${JSON.stringify(refused.error)}`).toBe(403);
    }
    expect((await stat(path.join(theirSource, "secret"))).uid).toBe(0);
    // A hard link to a file outside the tree is never given away (its other name is someone else's).
    const own = path.join(binds, "own");
    await mkdir(own, { mode: 0o755 });
    const outsideFile = path.join(hostDir, "outside-file");
    await writeFile(outsideFile, "host");
    await link(outsideFile, path.join(own, "linked"));
    await addLine(mine, `lxc.mount.entry = ${own} mnt/own none bind,optional 0 0`);
    const chowned = await callProcedure(server, "containers.chownBindSource", {
      name: mine,
      source: own,
      insideUid: 0,
      insideGid: 0,
      recursive: true,
    });
    expect(chowned.status, JSON.stringify(chowned.error)).toBe(200);
    expect((await stat(outsideFile)).uid).toBe(0);
    expect(chowned.data).toMatchObject({ skipped: 1 });
  });

  it("maps host id 1000 through for an admin (root:1000:1 in subuid and subgid): the directory owned by 1000 is uid 1000's inside; refused for an operator", async () => {
    const name = await createBusybox(server);
    made.push(name);
    const share = path.join(hostDir, "binds", "passed");
    await mkdir(share, { mode: 0o755 });
    await chown(share, 1000, 1000);
    await mkdir(path.join(lxcPath(), name, "rootfs", "mnt", "share"), { recursive: true });
    await addLine(name, `lxc.mount.entry = ${share} mnt/share none bind 0 0`);
    const root = (await picture(name)).root!;

    const byOperator = await callProcedure(server, "containers.passThroughId", { name, hostId: 1000 });
    expect(byOperator.status, JSON.stringify(byOperator.error)).toBe(403);
    expect(await readFile("/etc/subuid", "utf8")).not.toMatch(/^root:1000:1$/m);

    // Not a system account, nobody, nor Atelier's own web tier (its database and sessions), even for an admin.
    const webUid = Number((await execa("id", ["-u", "atelier"])).stdout);
    for (const [hostId, status] of [
      [999, 400],
      [65534, 400],
      [webUid, webUid >= 1000 ? 403 : 400],
    ] as const) {
      const refused = await callProcedure(
        server,
        "containers.passThroughId",
        { name, hostId },
        { as: "admin" },
      );
      expect(refused.status, `${hostId}: ${JSON.stringify(refused.error)}`).toBe(status);
    }
    const passed = await callProcedure(
      server,
      "containers.passThroughId",
      { name, hostId: 1000 },
      { as: "admin" },
    );
    expect(passed.status, JSON.stringify(passed.error)).toBe(200);
    const config = await readFile(path.join(lxcPath(), name, "config"), "utf8");
    for (const type of ["u", "g"])
      for (const line of [
        `${type} 0 ${root.uid} 1000`,
        `${type} 1000 1000 1`,
        `${type} 1001 ${root.uid + 1001} 64535`,
      ])
        expect(config).toContain(`lxc.idmap = ${line}`);
    expect(config).not.toContain(`lxc.idmap = u 0 ${root.uid} 65536`);
    expect(await readFile("/etc/subuid", "utf8")).toMatch(/^root:1000:1$/m);
    expect(await readFile("/etc/subgid", "utf8")).toMatch(/^root:1000:1$/m);
    const shown = await picture(name);
    expect(shown.passThrough.uids).toEqual([1000]);
    expect(mountOf(shown, share)).toMatchObject({ uid: 1000, insideUid: 1000, insideGid: 1000 });

    // Again: already passed through.
    const again = await callProcedure(
      server,
      "containers.passThroughId",
      { name, hostId: 1000 },
      { as: "admin" },
    );
    expect(again.status, JSON.stringify(again.error)).toBe(409);

    await start(name);
    expect((await attach(name, ["stat", "-c", "%u %g", "/mnt/share"])).stdout.trim()).toBe("1000 1000");
    const made1000 = await attach(name, ["touch", "/mnt/share/made"], asUser1000);
    expect(made1000.exitCode, made1000.stderr).toBe(0);
    const onHost = await stat(path.join(share, "made"));
    expect([onHost.uid, onHost.gid]).toEqual([1000, 1000]);
    // Root inside is still the pool's id on the host.
    expect((await attach(name, ["cat", "/proc/self/uid_map"])).stdout).toContain(String(root.uid));

    // A running container's map does not change.
    const running = await callProcedure(
      server,
      "containers.passThroughId",
      { name, hostId: 1001 },
      { as: "admin" },
    );
    expect(running.status, JSON.stringify(running.error)).toBe(409);
    await stop(name);
  });
});

import { lstat, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lxcPath, uniqueName } from "../lxc-oracle";
import { attach, initIds, isolationOf, startThroughApi, stopThroughApi } from "../containers";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * Unprivileged containers whose root filesystem's owners are shifted on disk (ATELIER_IDMAP_METHOD=shift: what a
 * host that cannot mount it idmapped gets), against real LXC: no `idmap=container`, every owner moved into the
 * container's range, its directory its mapped root's (liblxc reaches the rootfs as that user).
 */
const server = useServer({ env: { ATELIER_IDMAP_METHOD: "shift" } });
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
const createBusybox = async (extra: Record<string, unknown> = {}, as: "operator" | "admin" = "operator") => {
  const name = uniqueName("shf");
  created.push(name);
  await succeeded(
    await callProcedure(server, "containers.create", { name, rootfs: { kind: "busybox" }, ...extra }, { as }),
  );
  return name;
};
const picture = (name: string) => isolationOf(server, name);
const start = (name: string) => startThroughApi(server, name);
const stop = (name: string) => stopThroughApi(server, name);
const onHost = async (name: string, inside: string) => {
  const info = await lstat(path.join(lxcPath(), name, "rootfs", inside));
  return { uid: info.uid, gid: info.gid, mode: info.mode & 0o7777 };
};
const configOf = (name: string) => readFile(path.join(lxcPath(), name, "config"), "utf8");

describe("unprivileged containers with shifted owners", () => {
  it("says the method", async () => {
    const status = await callProcedure(server, "containers.hostIsolation", undefined, { kind: "query" });
    expect(status.status, JSON.stringify(status.error)).toBe(200);
    expect(status.data).toMatchObject({ method: "shift" });
  });

  it("shifts a new container into its range: root inside is 0 and owns its files, setuid kept", async () => {
    const name = await createBusybox({ access: { sshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 shifted" } });
    const shown = await picture(name);
    expect(shown).toMatchObject({ unprivileged: true, idmappedRootfs: false });
    const root = shown.root!;
    expect(root.uid).toBeGreaterThanOrEqual(1000000);
    const config = await configOf(name);
    expect(config).toContain(`lxc.idmap = u 0 ${root.uid} 65536`);
    expect(config).not.toContain("idmap=container");
    // On the host: the rootfs is the range's, the busybox binary still setuid; the directory the mapped root's.
    expect(await onHost(name, ".")).toMatchObject({ uid: root.uid, gid: root.gid });
    expect(await onHost(name, "etc/passwd")).toMatchObject({ uid: root.uid, gid: root.gid });
    expect((await onHost(name, "bin/busybox")).mode & 0o4000).toBe(0o4000);
    const dir = await stat(path.join(lxcPath(), name));
    expect([dir.uid, dir.gid, dir.mode & 0o777]).toEqual([root.uid, root.gid, 0o770]);
    await start(name);
    expect((await attach(name, ["id", "-u"])).stdout.trim()).toBe("0");
    expect(await initIds(name)).toEqual(root);
    // Root owns its files inside (not nobody), and can write; what it makes is the range's on the host.
    expect((await attach(name, ["stat", "-c", "%u %g", "/etc/passwd"])).stdout.trim()).toBe("0 0");
    expect((await attach(name, ["stat", "-c", "%u %g", "/"])).stdout.trim()).toBe("0 0");
    expect((await attach(name, ["touch", "/root/made-inside"])).exitCode).toBe(0);
    expect(await onHost(name, "root/made-inside")).toMatchObject({ uid: root.uid, gid: root.gid });
    // What the helper wrote after the shift (an SSH key, its new directory) is container root's too.
    expect(
      (await attach(name, ["stat", "-c", "%u %g %a", "/root/.ssh", "/root/.ssh/authorized_keys"])).stdout
        .trim()
        .split("\n"),
    ).toEqual(["0 0 700", "0 0 600"]);
    await stop(name);
  });

  it("converts a privileged container with a uid-1000 file and back, the owner 1000 inside and on the host", async () => {
    const name = await createBusybox({ privileged: true }, "admin");
    expect((await picture(name)).unprivileged).toBe(false);
    await start(name);
    expect(
      (await attach(name, ["sh", "-c", "echo hi > /home-file && chown 1000:1000 /home-file"])).exitCode,
    ).toBe(0);
    await stop(name);
    await succeeded(await callProcedure(server, "containers.convert", { name, to: "unprivileged" }));
    const shown = await picture(name);
    expect(shown).toMatchObject({ unprivileged: true, idmappedRootfs: false });
    const root = shown.root!;
    expect(await onHost(name, "home-file")).toMatchObject({ uid: root.uid + 1000, gid: root.gid + 1000 });
    await start(name);
    expect((await attach(name, ["stat", "-c", "%u %g", "/home-file"])).stdout.trim()).toBe("1000 1000");
    expect((await attach(name, ["id", "-u"])).stdout.trim()).toBe("0");
    await stop(name);
    await succeeded(
      await callProcedure(server, "containers.convert", { name, to: "privileged" }, { as: "admin" }),
    );
    expect((await picture(name)).unprivileged).toBe(false);
    expect(await onHost(name, "home-file")).toMatchObject({ uid: 1000, gid: 1000 });
    expect(await onHost(name, "etc/passwd")).toMatchObject({ uid: 0, gid: 0 });
    expect((await onHost(name, "bin/busybox")).mode & 0o4000).toBe(0o4000);
    await start(name);
    expect((await attach(name, ["stat", "-c", "%u %g", "/home-file"])).stdout.trim()).toBe("1000 1000");
    await stop(name);
  });

  it("gives a clone its own range, its files shifted from its source's", async () => {
    const source = await createBusybox();
    const from = (await picture(source)).root!;
    const clone = uniqueName("shfc");
    created.push(clone);
    await succeeded(
      await callProcedure(server, "containers.create", {
        name: clone,
        rootfs: { kind: "clone", source },
      }),
    );
    const shown = await picture(clone);
    expect(shown).toMatchObject({ unprivileged: true, idmappedRootfs: false });
    const root = shown.root!;
    expect(root.uid).not.toBe(from.uid);
    expect(await onHost(clone, "etc/passwd")).toMatchObject({ uid: root.uid, gid: root.gid });
    expect((await onHost(clone, "bin/busybox")).mode & 0o4000).toBe(0o4000);
    // The source keeps its own.
    expect(await onHost(source, "etc/passwd")).toMatchObject({ uid: from.uid, gid: from.gid });
    await start(clone);
    expect((await attach(clone, ["id", "-u"])).stdout.trim()).toBe("0");
    expect((await attach(clone, ["stat", "-c", "%u %g", "/etc/passwd"])).stdout.trim()).toBe("0 0");
    expect(await initIds(clone)).toEqual(root);
    await stop(clone);
  });
});

import { mkdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { lxcPath, lxcState } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { configOf, createBusybox } from "./helpers";

/**
 * Bind sources are judged again right before each start (issue #20, item 6): an operator's bind mount of a
 * directory inside the bind roots, saved while it was a real directory, then replaced by a link to a host directory
 * outside the roots (as a container with the root mounted read-write could do), is refused at start and at restart,
 * and nothing of the host directory reaches the container; with the real directory back it starts. An admin's bind
 * mount of a host path outside the roots (by its text) is theirs, and is left alone.
 */
const server = useServer({
  hostDir: true,
  env: ({ hostDir }) => ({ ATELIER_BIND_ROOTS: path.join(hostDir, "binds") }),
  beforeStart: async ({ hostDir }) => {
    await mkdir(path.join(hostDir, "binds"), { mode: 0o755 });
  },
});
const { hostDir, made } = server;
const roots = path.join(hostDir, "binds");

const attach = (name: string, argv: string[]) =>
  execa("lxc-attach", ["-P", lxcPath(), "-n", name, "--", ...argv], { reject: false, timeout: 20_000 });

const mountsOf = async (name: string) => (await attach(name, ["cat", "/proc/self/mountinfo"])).stdout;

describe("bind sources at start", () => {
  it("refuses to start or restart a container whose bind source inside the bind roots became a link out of them, mounting nothing of the host directory; starts with the real directory back", async () => {
    const name = await createBusybox(server);
    made.push(name);
    const data = path.join(roots, "data");
    await mkdir(data, { mode: 0o755 });
    await writeFile(path.join(data, "inside"), "bind root file");
    // A host directory outside the bind roots, with a file the container must never see.
    const outside = path.join(hostDir, "outside");
    await mkdir(outside, { mode: 0o755 });
    await writeFile(path.join(outside, "secret"), "host file");
    const adminShared = path.join(hostDir, "admin-shared");
    await mkdir(adminShared, { mode: 0o755 });
    await writeFile(path.join(adminShared, "admins"), "an admin's choice");

    // An admin's bind of a host path outside the roots: not the check's business.
    const first = await configOf(server, name, "admin");
    const adminLine = `lxc.mount.entry = ${adminShared} mnt/admin none bind,ro,create=dir 0 0`;
    const byAdmin = await callProcedure(
      server,
      "config.save",
      { name, raw: `${first.raw}${adminLine}\n`, baseVersion: first.version },
      { as: "admin" },
    );
    expect(byAdmin.status, JSON.stringify(byAdmin.error)).toBe(200);

    const before = await configOf(server, name);
    const line = `lxc.mount.entry = ${data} mnt/data none bind 0 0`;
    const raw = `${before.raw}${line}\n`;
    const saved = await callProcedure(server, "config.save", { name, raw, baseVersion: before.version });
    expect(saved.status, JSON.stringify(saved.error)).toBe(200);
    const lineNumber = raw.split("\n").indexOf(line) + 1;

    // After the save, the directory becomes a link to the host directory outside the roots.
    await rename(data, `${data}-real`);
    await symlink(outside, data);
    const refused = await callProcedure(server, "containers.start", { name });
    expect(refused.status, JSON.stringify(refused.error)).toBe(412);
    expect(refused.error?.message).toContain(`line ${lineNumber} (lxc.mount.entry = ${data} mnt/data`);
    expect(refused.error?.message).toContain(`now resolves to ${outside}, outside the directories`);
    expect(refused.error?.data.hint).toMatch(/Put the real directory back/);
    expect(await lxcState(name)).toBe("STOPPED");

    // The real directory back: it starts, with the bind root's file and the admin's directory, and no host file.
    await rm(data);
    await rename(`${data}-real`, data);
    const started = await callProcedure(server, "containers.start", { name });
    expect(started.status, JSON.stringify(started.error)).toBe(200);
    try {
      expect((await attach(name, ["cat", "/mnt/data/inside"])).stdout).toBe("bind root file");
      expect((await attach(name, ["cat", "/mnt/admin/admins"])).stdout).toBe("an admin's choice");

      // Swapped again while it runs: a restart is refused before it stops anything.
      await rename(data, `${data}-real`);
      await symlink(outside, data);
      const restart = await callProcedure(server, "containers.restart", { name });
      expect(restart.status, JSON.stringify(restart.error)).toBe(412);
      expect(restart.error?.message).toContain(`line ${lineNumber} (lxc.mount.entry`);
      expect(await lxcState(name)).toBe("RUNNING");
      const mounts = await mountsOf(name);
      expect(mounts).toContain(" /mnt/data ");
      expect((await attach(name, ["ls", "/mnt/data"])).stdout.trim()).toBe("inside");
    } finally {
      await callProcedure(server, "containers.stop", { name, force: true });
    }
    // Stopped, and still swapped: the next start is refused too; the host directory was never the container's.
    expect((await callProcedure(server, "containers.start", { name })).status).toBe(412);
    expect(await lxcState(name)).toBe("STOPPED");
    expect(await readFile(path.join(outside, "secret"), "utf8")).toBe("host file");

    // Gone altogether (not optional): refused, saying so; restored, it starts.
    await rm(data);
    const missing = await callProcedure(server, "containers.start", { name });
    expect(missing.status).toBe(412);
    expect(missing.error?.message).toContain(`${data} does not exist on the host`);
    await rename(`${data}-real`, data);
    expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);
    expect((await callProcedure(server, "containers.stop", { name, force: true })).status).toBe(200);
  });
});

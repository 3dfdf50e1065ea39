import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { attach, startThroughApi } from "../containers";
import { patternStream, upload } from "../files";
import { lxcPath } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { configOf, createBusybox, snapshotTree } from "../security/helpers";

/**
 * Changes to a RUNNING default container's files (issue #26): unprivileged, its rootfs mounted idmapped
 * (`lxc.rootfs.options = idmap=container`), where host root cannot create anything through /proc/PID/root
 * (EOVERFLOW: its fsuid has no mapping in the mount). Every change goes through the API, is made inside the
 * container by its own tools as its root, and is checked by the guest's own tools (lxc-attach: cat, stat, readlink,
 * ls), owners as the guest sees them; the owners on disk are the container's own ids (idmapped: not shifted).
 * Hostile links never lead a change to the host.
 */
const server = useServer({ timeoutMs: 5 * 60_000, hostDir: true });
const { made, hostDir } = server;

const call = (procedure: string, input: unknown, as: "viewer" | "operator" | "admin" = "operator") =>
  callProcedure(server, `files.${procedure}`, input, {
    kind: ["list", "stat", "read", "accounts", "shortcuts"].includes(procedure) ? "query" : "mutation",
    as,
  });

const ok = async (procedure: string, input: unknown) => {
  const answer = await call(procedure, input);
  expect(answer.status, `${procedure} ${JSON.stringify(answer.error)}`).toBe(200);
  return answer.data as Record<string, unknown>;
};

/** A command inside the container; its output. */
const guest = async (name: string, argv: string[]) => {
  const done = await attach(name, argv);
  expect(done.exitCode, `${argv.join(" ")}: ${done.stderr}`).toBe(0);
  return done.stdout;
};

/** Mode in octal, uid and gid, as the guest's own stat says. */
const guestStat = async (name: string, guestPath: string) =>
  (await guest(name, ["stat", "-c", "%a %u %g %F", guestPath])).trim();

/** The names in a directory, hidden ones too, as the guest's ls lists them. */
const guestNames = async (name: string, guestPath: string) =>
  (await guest(name, ["ls", "-a", guestPath])).split("\n").filter((each) => each !== "");

let name: string;

beforeAll(async () => {
  name = await createBusybox(server);
  made.push(name);
  // The default: an idmapped rootfs, owners on disk the container's own ids.
  expect((await configOf(server, name)).raw).toMatch(/^lxc\.rootfs\.options\s*=\s*idmap=container$/m);
  await startThroughApi(server, name);
});

describe("changes to a running idmapped container, made inside it", () => {
  it("writes, makes, renames, chmods, chowns, links and deletes as the guest tools see it", async () => {
    const rootfs = path.join(lxcPath(), name, "rootfs");

    const hostname = await ok("write", { name, path: "/etc/hostname", content: "renamed-by-page\n" });
    expect(hostname).toMatchObject({ kind: "file", uid: 0, gid: 0, mode: 0o644, size: 16 });
    expect(await guest(name, ["cat", "/etc/hostname"])).toBe("renamed-by-page");
    expect(await guestStat(name, "/etc/hostname")).toBe("644 0 0 regular file");
    // Idmapped: on disk, the container's own root (0), not a shifted host id.
    expect((await stat(path.join(rootfs, "etc/hostname"))).uid).toBe(0);

    // The guest changes it: an edit from before is a conflict; one from now keeps the file's mode and owner.
    await guest(name, [
      "sh",
      "-c",
      "echo guest > /etc/hostname && chown 5:7 /etc/hostname && chmod 600 /etc/hostname",
    ]);
    const stale = hostname.mtime as string;
    expect(
      (await call("write", { name, path: "/etc/hostname", content: "x", expectedMtime: stale })).status,
    ).toBe(409);
    const current = (await ok("stat", { name, path: "/etc/hostname" })).mtime as string;
    await ok("write", { name, path: "/etc/hostname", content: "kept\n", expectedMtime: current });
    expect(await guestStat(name, "/etc/hostname")).toBe("600 5 7 regular file");
    expect(await guest(name, ["cat", "/etc/hostname"])).toBe("kept");

    // A new file with its mode; no temporary file left next to it.
    const text = "line one\nligne deux é ✓\n";
    expect(await ok("write", { name, path: "/root/new file.txt", content: text, mode: 0o600 })).toMatchObject(
      {
        size: Buffer.byteLength(text),
        mode: 0o600,
        uid: 0,
      },
    );
    expect(await guest(name, ["cat", "/root/new file.txt"])).toBe(text.trimEnd());
    expect(await guestStat(name, "/root/new file.txt")).toBe("600 0 0 regular file");
    expect((await guestNames(name, "/root")).filter((each) => each.startsWith(".atelier-"))).toEqual([]);

    expect(await ok("mkdir", { name, path: "/root/-dir", mode: 0o750 })).toMatchObject({ kind: "directory" });
    expect(await guestStat(name, "/root/-dir")).toBe("750 0 0 directory");
    expect((await call("mkdir", { name, path: "/root/-dir" })).status).toBe(409);

    await ok("rename", { name, from: "/root/-dir", to: "/root/dir $(id)" });
    expect(await guestNames(name, "/root")).toEqual(expect.arrayContaining(["dir $(id)"]));
    expect(await guestNames(name, "/root")).not.toContain("-dir");
    // Never over an existing name.
    expect((await call("rename", { name, from: "/root/dir $(id)", to: "/root/new file.txt" })).status).toBe(
      409,
    );
    expect(await guest(name, ["cat", "/root/new file.txt"])).toBe(text.trimEnd());

    expect(await ok("chmod", { name, path: "/root/new file.txt", mode: 0o4640 })).toMatchObject({
      mode: 0o4640,
    });
    expect(await guestStat(name, "/root/new file.txt")).toBe("4640 0 0 regular file");
    expect(await ok("chown", { name, path: "/root/new file.txt", user: "1000", group: "100" })).toMatchObject(
      {
        uid: 1000,
        gid: 100,
      },
    );
    expect((await guestStat(name, "/root/new file.txt")).split(" ").slice(1, 3)).toEqual(["1000", "100"]);
    expect((await stat(path.join(rootfs, "root/new file.txt"))).uid).toBe(1000);
    await ok("chown", { name, path: "/root/new file.txt", user: "root" });
    expect((await guestStat(name, "/root/new file.txt")).split(" ").slice(1, 3)).toEqual(["0", "100"]);
    // Outside the container's map: refused before anything runs.
    expect((await call("chown", { name, path: "/root/new file.txt", user: "70000" })).status).toBe(400);

    // A link, created then repointed (as /sbin/init is); its text is the guest's, even one like an option.
    expect(await ok("symlink", { name, path: "/root/link", target: "-not-an-option" })).toMatchObject({
      kind: "symlink",
      linkTarget: "-not-an-option",
    });
    expect((await guest(name, ["readlink", "/root/link"])).trim()).toBe("-not-an-option");
    await ok("symlink", { name, path: "/root/link", target: "/etc" });
    await ok("symlink", { name, path: "/root/link", target: "new file.txt" });
    expect((await guest(name, ["readlink", "/root/link"])).trim()).toBe("new file.txt");
    // A file written at a link's name replaces the link, never its target (here a link to a directory).
    await ok("symlink", { name, path: "/root/dirlink", target: "/etc" });
    await ok("write", { name, path: "/root/dirlink", content: "a file now\n" });
    expect(await guestStat(name, "/root/dirlink")).toBe("644 0 0 regular file");
    expect(await guestNames(name, "/etc")).not.toContain("dirlink");

    await ok("write", { name, path: "/root/dir $(id)/leaf", content: "leaf" });
    expect((await call("delete", { name, path: "/root/dir $(id)", recursive: false })).status).not.toBe(200);
    expect(await ok("delete", { name, path: "/root/dir $(id)", recursive: true })).toEqual({ removed: 2 });
    // A link removed as a link: its target stays.
    expect(await ok("delete", { name, path: "/root/link", recursive: false })).toEqual({ removed: 1 });
    expect(await guest(name, ["cat", "/root/new file.txt"])).toBe(text.trimEnd());
    const left = await guestNames(name, "/root");
    expect(left).not.toContain("dir $(id)");
    expect(left).not.toContain("link");
    expect(left.filter((each) => each.startsWith(".atelier-"))).toEqual([]);
  });

  it("uploads a few MiB streamed, and a cancelled upload leaves nothing at the name nor a temporary file", async () => {
    const size = 5 * 1024 * 1024 + 123;
    const { sha256, stream } = patternStream(size, 7);
    const put = await upload(server, name, "/root/blob.bin", stream(), { size, mode: "640" });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json).toMatchObject({ kind: "file", size, mode: 0o640, uid: 0, gid: 0 });
    expect((await guest(name, ["sha256sum", "/root/blob.bin"])).split(" ")[0]).toBe(sha256);
    expect(await guestStat(name, "/root/blob.bin")).toBe("640 0 0 regular file");

    // Cancelled mid-way: the client goes away after 1 MiB of 4.
    const controller = new AbortController();
    const slow = Readable.from(
      (async function* () {
        yield Buffer.alloc(1024 * 1024, 2);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        controller.abort();
      })(),
    );
    await upload(server, name, "/root/cancelled.bin", slow, {
      size: 4 * 1024 * 1024,
      signal: controller.signal,
    }).catch(() => undefined);
    // The helper removes the temporary file once the receiving end is gone.
    let names: string[] = [];
    for (let tries = 0; tries < 50; tries += 1) {
      names = await guestNames(name, "/root");
      if (!names.some((each) => each.startsWith(".atelier-"))) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(names.filter((each) => each.startsWith(".atelier-"))).toEqual([]);
    expect(names).not.toContain("cancelled.bin");
  });

  it("never reaches the host through links inside the guest (etc/evil -> /etc/shadow, mnt/up -> ../../../..)", async () => {
    const canary = path.join(hostDir, "canary.txt");
    await writeFile(canary, "HOST CANARY\n", { mode: 0o644 });
    const shadowHash = async () =>
      createHash("sha256")
        .update(await readFile("/etc/shadow"))
        .digest("hex");
    const before = { tree: await snapshotTree(hostDir), shadow: await shadowHash() };
    await guest(name, [
      "sh",
      "-c",
      `ln -s /etc/shadow /etc/evil && ln -s ../../../.. /mnt/up && ln -s ${canary} /etc/canary`,
    ]);

    // Written at the link's name: the link replaced inside the container.
    await ok("write", { name, path: "/etc/evil", content: "guest's own\n" });
    expect(await guestStat(name, "/etc/evil")).toBe("644 0 0 regular file");
    expect((await upload(server, name, "/etc/canary", Buffer.from("up\n"))).status).toBe(200);
    expect(await guest(name, ["cat", "/etc/canary"])).toBe("up");
    // Through mnt/up: the container's own root (the host's path does not exist there).
    await ok("write", { name, path: "/mnt/up/etc/shadow", content: "" });
    expect((await call("write", { name, path: `/mnt/up${canary}`, content: "ATTACK" })).status).not.toBe(200);
    expect((await call("mkdir", { name, path: `/mnt/up${hostDir}/made` })).status).not.toBe(200);
    await ok("write", { name, path: "/mnt/up/tmp/moving", content: "m" });
    expect(
      (await call("rename", { name, from: "/tmp/moving", to: `/mnt/up${hostDir}/moved` })).status,
    ).not.toBe(200);
    await call("symlink", { name, path: `/mnt/up${hostDir}/planted`, target: "/" });
    await call("chmod", { name, path: "/mnt/up/etc/passwd", mode: 0o644 });
    await call("chown", { name, path: "/mnt/up/etc/passwd", user: "0", group: "0" });
    await call("delete", { name, path: `/mnt/up${hostDir}`, recursive: true });
    await call("delete", { name, path: `/mnt/up${canary}`, recursive: false });

    expect(await readFile(canary, "utf8")).toBe("HOST CANARY\n");
    expect({ tree: await snapshotTree(hostDir), shadow: await shadowHash() }).toEqual(before);
  });
});

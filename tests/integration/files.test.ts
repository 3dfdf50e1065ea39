import { readFile, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { extract } from "tar-stream";
import { describe, expect, it } from "vitest";
import { attach, startThroughApi, stopThroughApi } from "../containers";
import { download, jsonOf, upload } from "../files";
import { lxcPath } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { createBusybox, snapshotTree } from "../security/helpers";

/**
 * Files inside containers through the API (issue #26, docs/api.md "Files"), against real LXC: busybox containers
 * made through the API (unprivileged), their files changed by the files router and the streaming routes, and read
 * back by the container's own tools (lxc-attach) or, stopped, in its rootfs. The hostile links are in
 * files-hostile.test.ts, the 1 GiB transfers in files-large.test.ts.
 */
// Owners shifted on disk, the other way unprivileged containers are made (where the kernel cannot mount idmapped):
// files-hostile.test.ts, files-large.test.ts and files-running.test.ts run the default, idmapped, way.
const server = useServer({ timeoutMs: 5 * 60_000, hostDir: true, env: { ATELIER_IDMAP_METHOD: "shift" } });
const { made, hostDir } = server;

const call = (procedure: string, input: unknown, as: "viewer" | "operator" | "admin" = "operator") =>
  callProcedure(server, `files.${procedure}`, input, {
    kind: ["list", "stat", "read", "accounts", "shortcuts"].includes(procedure) ? "query" : "mutation",
    as,
  });

const made1 = async ({ running }: { running: boolean }) => {
  const name = await createBusybox(server);
  made.push(name);
  if (running) await startThroughApi(server, name);
  return name;
};

const rootfsOf = (name: string) => path.join(lxcPath(), name, "rootfs");

const cat = async (name: string, guestPath: string) => {
  const done = await attach(name, ["cat", guestPath]);
  expect(done.exitCode, done.stderr).toBe(0);
  return done.stdout;
};

const auditOf = async (action: string) =>
  (
    (await callProcedure(server, "audit.list", { action }, { kind: "query", as: "admin" })).data as {
      entries: {
        action: string;
        actor: string;
        target: string | null;
        input: string | null;
        result: string;
      }[];
    }
  ).entries;

describe("files inside containers, through the API", () => {
  it("writes a file in a running container that lxc-attach cat reads back, and reads back what the guest wrote", async () => {
    const name = await made1({ running: true });
    const text = "written from the page\nsecond line: é ✓\n";
    const written = await call("write", { name, path: "/root/from-page.txt", content: text });
    expect(written.status, JSON.stringify(written.error)).toBe(200);
    expect(written.data).toMatchObject({ kind: "file", size: Buffer.byteLength(text), mode: 0o644, uid: 0 });
    expect(await cat(name, "/root/from-page.txt")).toBe(text.trimEnd());

    const guest = await attach(name, ["sh", "-c", "printf 'from the guest\\n' > /root/from-guest.txt"]);
    expect(guest.exitCode, guest.stderr).toBe(0);
    const read = await call("read", { name, path: "/root/from-guest.txt" }, "viewer");
    expect(read.status, JSON.stringify(read.error)).toBe(200);
    expect(read.data).toMatchObject({ content: "from the guest\n", isBinary: false, isTruncated: false });

    // The listing, as the guest's own ls sees it.
    const listed = await call("list", { name, path: "/root" });
    expect(listed.status, JSON.stringify(listed.error)).toBe(200);
    const names = (listed.data as { entries: { name: string }[] }).entries.map((entry) => entry.name);
    expect(names).toEqual(expect.arrayContaining(["from-page.txt", "from-guest.txt"]));
    expect((listed.data as { isRunning: boolean }).isRunning).toBe(true);
  });

  it("writes into a stopped container's rootfs, and the guest reads it once started", async () => {
    const name = await made1({ running: false });
    const written = await call("write", {
      name,
      path: "/etc/motd",
      content: "hello from a stopped rootfs\n",
    });
    expect(written.status, JSON.stringify(written.error)).toBe(200);
    const made = await call("mkdir", { name, path: "/mnt/data", mode: 0o750 });
    expect(made.status, JSON.stringify(made.error)).toBe(200);
    await startThroughApi(server, name);
    expect(await cat(name, "/etc/motd")).toBe("hello from a stopped rootfs");
    const listed = await attach(name, ["stat", "-c", "%a %u", "/mnt/data"]);
    expect(listed.stdout.trim()).toBe("750 0");
  });

  it("lets a viewer read only what the container's others may read, and change nothing", async () => {
    const name = await made1({ running: true });
    expect(
      (await attach(name, ["sh", "-c", "echo secret > /root/private && chmod 600 /root/private"])).exitCode,
    ).toBe(0);
    const asViewer = await call("read", { name, path: "/root/private" }, "viewer");
    expect(asViewer.status).not.toBe(200);
    expect(JSON.stringify(asViewer)).not.toContain("secret");
    const viewerDownload = await download(server, name, "/root/private", { as: "viewer" });
    expect(viewerDownload.status).not.toBe(200);
    expect(viewerDownload.body.toString()).not.toContain("secret");
    const asOperator = await call("read", { name, path: "/root/private" }, "operator");
    expect((asOperator.data as { content: string }).content).toBe("secret\n");
    expect((await call("write", { name, path: "/root/x", content: "x" }, "viewer")).status).toBe(403);
    expect((await upload(server, name, "/root/x", Buffer.from("x"), { as: "viewer" })).status).toBe(403);
  });

  it("renames and deletes in a stopped container change only its rootfs", async () => {
    const name = await made1({ running: false });
    const rootfs = rootfsOf(name);
    await writeFile(path.join(hostDir, "bystander"), "host file\n");
    const hostBefore = await snapshotTree(hostDir);
    const lxcBefore = (await readdir(lxcPath())).sort();

    expect((await call("write", { name, path: "/tmp/a.txt", content: "a\n" })).status).toBe(200);
    const renamed = await call("rename", { name, from: "/tmp/a.txt", to: "/tmp/b.txt" });
    expect(renamed.status, JSON.stringify(renamed.error)).toBe(200);
    expect(await readFile(path.join(rootfs, "tmp/b.txt"), "utf8")).toBe("a\n");
    await expect(stat(path.join(rootfs, "tmp/a.txt"))).rejects.toThrow();
    // An existing name is never replaced.
    expect((await call("write", { name, path: "/tmp/c.txt", content: "c\n" })).status).toBe(200);
    expect((await call("rename", { name, from: "/tmp/b.txt", to: "/tmp/c.txt" })).status).toBe(409);
    expect(await readFile(path.join(rootfs, "tmp/c.txt"), "utf8")).toBe("c\n");

    expect((await call("mkdir", { name, path: "/tmp/tree" })).status).toBe(200);
    expect((await call("write", { name, path: "/tmp/tree/leaf", content: "l" })).status).toBe(200);
    expect((await call("delete", { name, path: "/tmp/tree", recursive: false })).status).not.toBe(200);
    const deleted = await call("delete", { name, path: "/tmp/tree", recursive: true });
    expect(deleted.status, JSON.stringify(deleted.error)).toBe(200);
    await expect(stat(path.join(rootfs, "tmp/tree"))).rejects.toThrow();
    expect((await call("delete", { name, path: "/tmp/b.txt", recursive: false })).status).toBe(200);

    expect(await snapshotTree(hostDir)).toEqual(hostBefore);
    expect((await readdir(lxcPath())).sort()).toEqual(lxcBefore);
  });

  it("changes modes, owners and links as the container sees them", async () => {
    const name = await made1({ running: true });
    expect((await call("write", { name, path: "/tmp/owned", content: "o" })).status).toBe(200);
    const accounts = (await call("accounts", { name }, "viewer")).data as { users: { name: string }[] };
    expect(accounts.users.map((user) => user.name)).toContain("root");
    const chmod = await call("chmod", { name, path: "/tmp/owned", mode: 0o640 });
    expect(chmod.status, JSON.stringify(chmod.error)).toBe(200);
    const chown = await call("chown", { name, path: "/tmp/owned", user: "1000", group: "1000" });
    expect(chown.status, JSON.stringify(chown.error)).toBe(200);
    expect(chown.data).toMatchObject({ uid: 1000, gid: 1000, mode: 0o640 });
    expect((await attach(name, ["stat", "-c", "%a %u %g", "/tmp/owned"])).stdout.trim()).toBe(
      "640 1000 1000",
    );
    const link = await call("symlink", { name, path: "/tmp/link", target: "owned" });
    expect(link.status, JSON.stringify(link.error)).toBe(200);
    expect((await attach(name, ["readlink", "/tmp/link"])).stdout.trim()).toBe("owned");
  });

  it("refuses a running container's /proc/sys, whose files are the host's settings", async () => {
    const name = await made1({ running: true });
    const before = await readFile("/proc/sys/kernel/hostname", "utf8");
    const written = await call("write", { name, path: "/proc/sys/kernel/hostname", content: "pwned\n" });
    expect(written.status).not.toBe(200);
    const uploaded = await upload(server, name, "/proc/sys/kernel/hostname", Buffer.from("pwned\n"));
    expect(uploaded.status).not.toBe(200);
    expect((await call("read", { name, path: "/proc/sys/kernel/hostname" })).status).not.toBe(200);
    expect((await call("chmod", { name, path: "/proc/sys/kernel/hostname", mode: 0o666 })).status).not.toBe(
      200,
    );
    expect(await readFile("/proc/sys/kernel/hostname", "utf8")).toBe(before);
  });

  it("streams a file and a directory over HTTP, and an upload cut off leaves nothing at the name", async () => {
    const name = await made1({ running: true });
    const content = Buffer.from("a file for the download route\n".repeat(1000));
    const put = await upload(server, name, "/root/streamed.bin", content, { mode: "600" });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json).toMatchObject({ kind: "file", size: content.length, mode: 0o600 });
    expect(await cat(name, "/root/streamed.bin")).toBe(content.toString().trimEnd());

    const got = await download(server, name, "/root/streamed.bin");
    expect(got.status).toBe(200);
    expect(got.headers["content-length"]).toBe(String(content.length));
    expect(got.headers["content-type"]).toBe("application/octet-stream");
    expect(got.headers["x-content-type-options"]).toBe("nosniff");
    expect(got.headers["content-disposition"]).toBe(
      `attachment; filename="streamed.bin"; filename*=UTF-8''streamed.bin`,
    );
    expect(got.body.equals(content)).toBe(true);

    // A directory as a tar of what the guest has.
    expect(
      (
        await attach(name, [
          "sh",
          "-c",
          "mkdir -p /root/tree/sub && echo leaf > /root/tree/sub/leaf && ln -s sub/leaf /root/tree/link",
        ])
      ).exitCode,
    ).toBe(0);
    const tarred = await download(server, name, "/root/tree");
    expect(tarred.status).toBe(200);
    expect(tarred.headers["content-type"]).toBe("application/x-tar");
    expect(tarred.headers["content-disposition"]).toContain('filename="tree.tar"');
    const entries = new Map<string, { type: string; body: string; linkname: string | null }>();
    const unpack = extract();
    unpack.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        entries.set(header.name.replace(/\/$/, ""), {
          type: header.type ?? "file",
          body: Buffer.concat(chunks).toString(),
          linkname: header.linkname ?? null,
        });
        next();
      });
    });
    await new Promise((resolve, reject) => {
      unpack.on("finish", resolve);
      unpack.on("error", reject);
      unpack.end(tarred.body);
    });
    const byName = [...entries.keys()].map((key) => key.replace(/^(\.\/)?(tree\/)?/, ""));
    expect(byName).toEqual(expect.arrayContaining(["sub/leaf", "link"]));
    const leaf = [...entries.entries()].find(([key]) => key.endsWith("sub/leaf"))?.[1];
    expect(leaf?.body).toBe("leaf\n");
    const link = [...entries.entries()].find(([key]) => key.endsWith("link"))?.[1];
    expect(link).toMatchObject({ type: "symlink", linkname: "sub/leaf" });

    // Refusals: no length, no path, not a file.
    const noLength = await upload(server, name, "/root/x", Buffer.from("x"), {
      size: null,
      headers: { "transfer-encoding": "chunked" },
    });
    expect(noLength.status).toBe(411);
    expect((await upload(server, name, "relative", Buffer.from("x"))).status).toBe(400);
    expect((await download(server, name, "/dev/null")).status).not.toBe(200);
    expect((await download(server, name, "/nonexistent")).status).toBe(404);
    expect(jsonOf(await download(server, name, "/nonexistent"))).toHaveProperty("error");

    // Half a body, then the client goes away: nothing at the name, no temporary file left beside it.
    const controller = new AbortController();
    const half = Buffer.alloc(4 * 1024 * 1024, 7);
    const body = Readable.from(
      (async function* () {
        yield half;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        controller.abort();
      })(),
    );
    await upload(server, name, "/root/cut.bin", body, {
      size: 2 * half.length,
      signal: controller.signal,
    }).catch(() => null);
    // The helper's cancellation lands shortly after.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const left = await attach(name, ["ls", "-a", "/root"]);
    expect(left.stdout.split("\n")).not.toContain("cut.bin");
    expect(left.stdout).not.toMatch(/cut\.bin/);

    // Audited by path and size, never the bytes.
    const audits = await auditOf("files.upload");
    expect(audits.some((entry) => entry.target === name && entry.result === "ok")).toBe(true);
    for (const entry of audits) expect(entry.input ?? "").not.toContain("a file for the download route");
  });

  it("keeps file contents out of the audit log, and records who changed which path", async () => {
    const name = await made1({ running: false });
    const secret = "password=hunter2-in-a-file";
    expect((await call("write", { name, path: "/etc/app.conf", content: secret })).status).toBe(200);
    const entries = await auditOf("files.write");
    const entry = entries.find((each) => each.target === name);
    expect(entry).toMatchObject({ actor: "operator", action: "files.write", result: "ok" });
    expect(entry?.input).toContain("/etc/app.conf");
    expect(entry?.input).not.toContain("hunter2");
  });

  it("finds the seed's files for the shortcuts, the network files the guest has among them", async () => {
    const name = await made1({ running: false });
    expect((await call("mkdir", { name, path: "/etc/network" })).status).toBe(200);
    expect(
      (await call("write", { name, path: "/etc/network/interfaces", content: "auto lo\n" })).status,
    ).toBe(200);
    const shortcuts = await call("shortcuts", { name }, "viewer");
    expect(shortcuts.status, JSON.stringify(shortcuts.error)).toBe(200);
    const items = (
      shortcuts.data as { items: { key: string; path: string; exists: boolean; kind: string | null }[] }
    ).items;
    expect(items.map((item) => item.key)).toEqual(
      expect.arrayContaining(["fstab", "network", "hostname", "hosts", "resolv", "init"]),
    );
    expect(items.find((item) => item.key === "network")).toMatchObject({
      path: "/etc/network/interfaces",
      exists: true,
      kind: "file",
    });
    // Busybox's init is a link to busybox.
    expect(items.find((item) => item.key === "init")).toMatchObject({ path: "/sbin/init", exists: true });
  });
});

describe("files of a container that is stopped again", () => {
  it("reads what was written while it ran, from its rootfs", async () => {
    const name = await made1({ running: true });
    expect((await call("write", { name, path: "/root/kept", content: "kept\n" })).status).toBe(200);
    await stopThroughApi(server, name);
    const read = await call("read", { name, path: "/root/kept" });
    expect(read.data).toMatchObject({ content: "kept\n" });
    expect((await call("list", { name, path: "/root" })).data).toMatchObject({ isRunning: false });
  });
});

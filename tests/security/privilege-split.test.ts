import { existsSync } from "node:fs";
import { chown, lstat, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { helperSocketPath, importDirOf } from "@/server/layout";
import { encode, PROTOCOL_VERSION } from "@/server/helper/contract/protocol";
import { rawPeer } from "../helper-peer";
import { callProcedure, seedUsers, startServer } from "../server";
import { useServer } from "../use-server";

/**
 * The privilege split as `ps` and /proc show it: Atelier started as `npm start` starts it is a launcher and a helper
 * as root and a web tier as the atelier user with no capability at all and no_new_privs; the helper's socket is for
 * that uid only (root itself is refused); the data directory is root's, with web/ the web user's alone; and the
 * handover of an upload from the web tier's spool, the one place root reads what the web tier wrote, takes only a
 * regular file of the web tier's own. An install from before the split is migrated at start.
 */
let webUid: number;
let webGid: number;
const server = useServer({
  beforeStart: async () => {
    webUid = Number((await execa("id", ["-u", "atelier"])).stdout);
    webGid = Number((await execa("id", ["-g", "atelier"])).stdout);
  },
});

const statusOf = async (pid: number) =>
  Object.fromEntries(
    (await readFile(`/proc/${pid}/status`, "utf8"))
      .split("\n")
      .map((line) => line.split(":\t"))
      .filter((parts): parts is [string, string] => parts.length === 2)
      .map(([key, value]) => [key, value.trim()]),
  );

/** What the helper answers a raw peer, as the given user (null: root), until it closes or 2 s pass. */
const asPeer = (lines: string[], user: { uid: number; gid: number } | null) =>
  rawPeer(helperSocketPath(server.dataDir), lines, user);
const hello = encode({ type: "hello", version: PROTOCOL_VERSION });
const call = (id: number, op: string, input: unknown) => encode({ type: "call", id, op, input });

describe("the privilege split", () => {
  it("runs the web tier as atelier with no capabilities and no_new_privs, and only the helper as root", async () => {
    const webPid = await server.webPid();
    const helperPid = await server.helperPid();
    expect(webPid).not.toBeNull();
    expect(helperPid).not.toBeNull();
    const web = await statusOf(webPid ?? 0);
    expect(web.Uid?.split(/\s+/)).toEqual(Array(4).fill(String(webUid)));
    expect(web.Gid?.split(/\s+/)).toEqual(Array(4).fill(String(webGid)));
    expect(web.Groups ?? "").toBe("");
    for (const set of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"])
      expect(web[set], set).toBe("0000000000000000");
    expect(web.NoNewPrivs).toBe("1");
    // As `ps` shows it.
    const ps = (await execa("ps", ["-o", "user=,args=", "-p", `${server.pid},${webPid},${helperPid}`]))
      .stdout;
    expect(ps).toMatch(/^atelier\s+\S*node .*server\/main\.ts$/m);
    expect(ps).toMatch(/^root\s+\S*node .*server\/helper\/main\.ts$/m);
    expect(ps).toMatch(/^root\s+\S*node .*server\/launcher\/main\.ts$/m);
  });

  it("lays the data directory out so that root never takes the web tier's files for its own", async () => {
    const modeOf = async (file: string) => {
      const info = await lstat(file);
      return `${(info.mode & 0o7777).toString(8)} ${info.uid}:${info.gid}`;
    };
    expect(await modeOf(server.dataDir)).toBe("711 0:0");
    expect(await modeOf(path.join(server.dataDir, "web"))).toBe(`700 ${webUid}:${webGid}`);
    expect(await modeOf(path.join(server.dataDir, "web", "atelier.db"))).toMatch(
      new RegExp(` ${webUid}:${webGid}$`),
    );
    expect(await modeOf(path.join(server.dataDir, "helper"))).toBe("700 0:0");
    expect(await modeOf(importDirOf(server.dataDir))).toBe("700 0:0");
    const socket = helperSocketPath(server.dataDir);
    expect(await modeOf(path.dirname(socket))).toBe(`750 0:${webGid}`);
    expect(await modeOf(socket)).toBe(`660 0:${webGid}`);
  });

  it("lets only the web tier's uid call the helper: not nobody, not even root", async () => {
    const [nobody] = await asPeer([hello], { uid: 65534, gid: 65534 });
    expect(nobody).toMatchObject({ type: "connect-error", code: "EACCES" });
    // Root reaches the socket (it reaches everything) and is refused by its credentials.
    const root = await asPeer([hello], null);
    expect(root.map((message) => message.type)).not.toContain("hello");
    const web = await asPeer([hello, call(1, "no.such", {}), call(2, "lxc.start", { name: "../x" })], {
      uid: webUid,
      gid: webGid,
    });
    expect(web[0]).toMatchObject({ type: "hello", version: PROTOCOL_VERSION });
    expect(web.slice(1).map((message) => (message.error as { code?: string } | undefined)?.code)).toEqual([
      "BAD_REQUEST",
      "BAD_REQUEST",
    ]);
  });

  it("takes an upload from the spool only as a regular file of the web tier's own", async () => {
    const spool = path.join(server.dataDir, "web", "uploads");
    await mkdir(spool, { recursive: true });
    await chown(spool, webUid, webGid);
    const secret = path.join(server.dataDir, "helper", "secret");
    await writeFile(secret, "root's own\n", { mode: 0o600 });
    const as = { uid: webUid, gid: webGid };
    const adopt = (name: string) =>
      asPeer([hello, call(1, "upload.adopt", { name })], as).then((lines) => lines[1]);
    // A link planted in the spool, to a file only root reads: not followed.
    await symlink(secret, path.join(spool, "upload-0000000a-link.tar"));
    expect(await adopt("upload-0000000a-link.tar")).toMatchObject({
      type: "error",
      error: { code: "NOT_FOUND" },
    });
    // A file of root's (a hard link to one, say) in the spool: not taken.
    await writeFile(path.join(spool, "upload-0000000b-root.tar"), "x");
    expect(await adopt("upload-0000000b-root.tar")).toMatchObject({
      type: "error",
      error: { code: "FORBIDDEN" },
    });
    // The import directory of this run (ATELIER_IMPORT_DIRS; by default the data directory's imports/).
    const imports = process.env.ATELIER_IMPORT_DIRS?.split(":")[0] ?? importDirOf(server.dataDir);
    expect(await readdir(imports)).toEqual([]);
    // The web tier's own upload is copied into the import directory (root's), where a creation takes it from.
    const own = path.join(spool, "upload-0000000c-own.tar");
    await writeFile(own, "an archive");
    await chown(own, webUid, webGid);
    expect(await adopt("upload-0000000c-own.tar")).toMatchObject({
      type: "result",
      data: { path: path.join(imports, "upload-0000000c-own.tar"), bytes: 10 },
    });
    const copied = await stat(path.join(imports, "upload-0000000c-own.tar"));
    expect([copied.uid, copied.mode & 0o777]).toEqual([0, 0o600]);
  });

  it("follows no link the web tier left in its directory when the launcher writes there as root", async () => {
    const dataDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "planted-"));
    await mkdir(path.join(dataDir, "web"));
    const tokens = await seedUsers(`file:${path.join(dataDir, "web", "atelier.db")}`);
    // A compromised web tier's leftovers: its copies of the certificate pointed at a host directory, and a link
    // in place of a file the launcher chowns.
    const host = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "host-dir-"));
    await writeFile(path.join(host, "keep"), "root's\n");
    await symlink(host, path.join(dataDir, "web", "tls-configured"));
    await symlink(path.join(host, "keep"), path.join(dataDir, "web", "planted-link"));
    const certDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "cert-"));
    const [cert, key] = [path.join(certDir, "cert.pem"), path.join(certDir, "key.pem")];
    await execa("openssl", [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...["-keyout", key, "-out", cert],
    ]);
    const started = await startServer(
      { ATELIER_TLS_CERT: cert, ATELIER_TLS_KEY: key },
      {
        scheme: "https",
        reuse: { dataDir, databaseUrl: `file:${path.join(dataDir, "web", "atelier.db")}`, tokens },
      },
    );
    try {
      // The host directory and file are as they were: nothing written into it, nothing chowned through a link.
      expect(await readdir(host)).toEqual(["keep"]);
      expect((await stat(path.join(host, "keep"))).uid).toBe(0);
      const copies = await lstat(path.join(dataDir, "web", "tls-configured"));
      expect([copies.isDirectory(), copies.uid]).toEqual([true, webUid]);
      expect((await stat(path.join(dataDir, "web", "tls-configured", "key.pem"))).mode & 0o777).toBe(0o600);
    } finally {
      await started.stop();
    }
  });

  it("migrates an install from before the split: its database, certificate and token move into web/", async () => {
    const dataDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "old-"));
    // The old layout: everything at the top of a root-owned data directory.
    const tokens = await seedUsers(`file:${path.join(dataDir, "atelier.db")}`);
    await mkdir(path.join(dataDir, "nat"));
    await writeFile(path.join(dataDir, "nat", "dnsmasq.leases"), "");
    const migrated = await startServer(
      {},
      { reuse: { dataDir, databaseUrl: `file:${path.join(dataDir, "web", "atelier.db")}`, tokens } },
    );
    try {
      expect(existsSync(path.join(dataDir, "atelier.db"))).toBe(false);
      expect((await stat(path.join(dataDir, "web", "atelier.db"))).uid).toBe(webUid);
      expect(existsSync(path.join(dataDir, "helper", "nat", "dnsmasq.leases"))).toBe(true);
      // The users and tokens of the old database work.
      const status = await callProcedure(migrated, "auth.status", undefined, { kind: "query", as: "admin" });
      expect(status.data).toMatchObject({ user: { username: "admin", role: "admin" } });
      expect(migrated.output()).toContain("data directory migrated");
    } finally {
      await migrated.stop();
    }
  });
});

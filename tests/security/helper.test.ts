import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHelperClient, type THelperClient } from "@/server/helper-client";
import { createHelperOperations, type THelperOperations } from "@/server/helper/operations";
import { enrollAdmin, makeTicket, removeAdmin, signInAdmin } from "@/server/helper/admins";
import { encode } from "@/server/helper/protocol";
import { startHelper } from "@/server/helper/spawn";
import { helperSocketPath, helperStateDirOf, uploadSpoolOf } from "@/server/layout";
import { lxcPath, lxcState, uniqueName } from "../lxc-oracle";
import { rawPeer } from "../helper-peer";
import { writeTar } from "../hostile-tar";
import { canariesFor, generate, setAt, unionSites, type TZod } from "../schema-inputs";

/**
 * The helper as a compromised web tier would find it: raw calls on its socket, with the web tier's uid. It must
 * refuse every other uid, refuse unknown operations and hostile inputs (naming the field), and offer no operation
 * that runs a program or writes a host path of the caller's choosing. The list of its operations is written down
 * here and reviewed like code: a new operation fails this test until it is listed (and its inputs are walked).
 */
const EXPECTED_OPERATIONS = [
  "admins.enroll",
  "admins.grant",
  "admins.remove",
  "admins.signIn",
  "cache.list",
  "cache.remove",
  "cache.removePartials",
  "config.hostPaths",
  "config.read",
  "config.write",
  "imports.check",
  "job.copy",
  "job.createDebian",
  "job.restoreSnapshot",
  "job.settle",
  "job.snapshot",
  "job.unpackTarball",
  "lxc.checkConfig",
  "lxc.create",
  "lxc.defaultPath",
  "lxc.deleteSnapshot",
  "lxc.destroy",
  "lxc.discard",
  "lxc.exists",
  "lxc.freeze",
  "lxc.get",
  "lxc.info",
  "lxc.list",
  "lxc.monitor",
  "lxc.removeLeftover",
  "lxc.restart",
  "lxc.setCgroup",
  "lxc.start",
  "lxc.stop",
  "lxc.unfreeze",
  "nat.start",
  "nat.status",
  "nat.stop",
  "network.apply",
  "network.confirm",
  "network.persist",
  "network.read",
  "network.rollback",
  "network.status",
  "rootfs.prepare",
  "snapshot.list",
  "tarball.prepare",
  "tarball.stripSetuid",
  "tarball.writeConfig",
  "upload.adopt",
  "upload.prune",
  "upload.remove",
];

const settings = () => ({
  lxcPath: lxcPath(),
  containerConfig: process.env.ATELIER_CONTAINER_CONFIG,
  lxcCache: process.env.ATELIER_LXC_CACHE ?? "",
  importDirs: (process.env.ATELIER_IMPORT_DIRS ?? "").split(":"),
});
let dataDir: string;
const operationsOf = () => {
  const { lxcCache, ...rest } = settings();
  return createHelperOperations({
    ...rest,
    cacheDir: lxcCache,
    stateDir: helperStateDirOf(dataDir),
    uploadSpool: uploadSpoolOf(dataDir),
    hostRoot: dataDir,
    allowedUids: [0],
  }).operations;
};

let helper: Awaited<ReturnType<typeof startHelper>>;
let client: THelperClient<THelperOperations>;
let canaryDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "helper-"));
  canaryDir = path.join(dataDir, "canaries");
  await mkdir(canaryDir);
  helper = await startHelper({
    ...settings(),
    socketPath: helperSocketPath(dataDir),
    stateDir: helperStateDirOf(dataDir),
    uploadSpool: uploadSpoolOf(dataDir),
    hostRoot: dataDir,
    allowUid: 0,
    socketGroup: 0,
  });
  client = createHelperClient<THelperOperations>(helper.socketPath);
});
afterAll(async () => {
  client?.close();
  await helper?.stop();
});

/** Lines a raw peer gets back for what it sends, until the helper closes or 2 s pass. */
const raw = (lines: string[], runAs?: { uid: number; gid: number }) =>
  rawPeer(helper.socketPath, lines, runAs);
const hello = encode({ type: "hello", version: 1 });

describe("the helper, to a compromised web tier", () => {
  it("offers exactly the written-down operations", async () => {
    const [greeting] = await raw([hello]);
    expect(greeting).toMatchObject({ type: "hello", version: 1 });
    expect(greeting?.operations).toEqual(EXPECTED_OPERATIONS);
    expect(Object.keys(operationsOf()).sort()).toEqual(EXPECTED_OPERATIONS);
  });

  it("keeps a long data directory's socket under /run/atelier, and removes its directory when it stops", async () => {
    const longDir = path.join(dataDir, "a-data-directory-whose-path-is-too-long-for-a-unix-socket".repeat(2));
    await mkdir(longDir);
    const socketPath = helperSocketPath(longDir);
    expect(path.dirname(path.dirname(socketPath))).toBe("/run/atelier");
    const other = await startHelper({
      ...settings(),
      socketPath,
      stateDir: helperStateDirOf(longDir),
      uploadSpool: uploadSpoolOf(longDir),
      hostRoot: longDir,
      allowUid: 0,
      socketGroup: 0,
    });
    expect(existsSync(socketPath)).toBe(true);
    await other.stop();
    expect(existsSync(path.dirname(socketPath))).toBe(false);
  });

  it("refuses a connection from any other uid", async () => {
    // nobody cannot reach the socket at all: its directory is for the web tier's group only.
    const [answer] = await raw([hello], { uid: 65534, gid: 65534 });
    expect(answer).toMatchObject({ type: "connect-error", code: "EACCES" });
    // A process of another uid in that group reaches it (the test's directories opened to the group on the way),
    // and is refused by its credentials: every uid of the peer must be the web tier's.
    const runDir = process.env.ATELIER_TEST_DIR ?? "/nonexistent";
    for (let dir = path.dirname(path.dirname(helper.socketPath)); dir.startsWith(runDir);) {
      // Group traversal added; what the others have (the web user's traversal) kept.
      await chmod(dir, ((await stat(dir)).mode & 0o777) | 0o050);
      dir = path.dirname(dir);
    }
    const [refused] = await raw([hello], { uid: 1, gid: process.getgid?.() ?? 0 });
    expect(refused).toMatchObject({ type: "refused" });
  });

  it("refuses unknown operations and every hostile value, naming the field; runs nothing of a canary's", async () => {
    const unknown = await raw([
      hello,
      encode({ type: "call", id: 1, op: "lxc.exec", input: { argv: ["/bin/sh"] } }),
      encode({ type: "call", id: 2, op: "constructor", input: {} }),
      encode({ type: "call", id: 3, op: "lxc.start", input: { name: "x", lxcPath: "/" } }),
    ]);
    expect(unknown.filter((m) => m.type === "error").map((m) => (m.error as { code: string }).code)).toEqual([
      "BAD_REQUEST",
      "BAD_REQUEST",
      "BAD_REQUEST",
    ]);

    const before = (await readdir(lxcPath())).sort();
    const operations = operationsOf() as unknown as Record<string, { input: TZod }>;
    const failures: string[] = [];
    let calls = 0;
    for (const [op, { input: schema }] of Object.entries(operations)) {
      if (op === "lxc.monitor") continue; // no string input; a stream (walked below)
      // One variant per branch of every union (a network change's kinds), each walked on its own branch's fields.
      const variants = [
        generate(schema, [], () => 0, "x0"),
        ...unionSites(schema).flatMap(({ site, options }) =>
          Array.from({ length: options - 1 }, (_, index) => {
            const made = generate(schema, [], (at) => (at === site ? index + 1 : 0), "x0");
            return { ...made, leaves: made.leaves.filter((leaf) => leaf.path.join(".").startsWith(site)) };
          }),
        ),
      ];
      for (const made of variants)
        for (const leaf of made.leaves) {
          for (const canary of canariesFor(canaryDir)) {
            const input = structuredClone(made.value);
            setAt(input, leaf.path, canary);
            calls += 1;
            const field = leaf.path.join(".");
            const outcome = await client.call(op as "lxc.info", input as never).then(
              (data) => ({ ok: true as const, data }),
              (error: { code?: string; field?: string }) => ({ ok: false as const, error }),
            );
            // A refusal names the field; a success is only a verdict on what it was given (the config check's, a
            // sign-in's: a password is any text, checked against the admin's).
            if (outcome.ok) {
              if (!["lxc.checkConfig", "config.hostPaths", "admins.signIn"].includes(op))
                failures.push(`${op} ${field}: accepted ${JSON.stringify(canary)}`);
            } else if (outcome.error.code === "BAD_REQUEST" && outcome.error.field !== field) {
              failures.push(`${op} ${field}: refused naming ${outcome.error.field}`);
            } else if (!["BAD_REQUEST", "NOT_FOUND", "FORBIDDEN"].includes(outcome.error.code ?? "")) {
              failures.push(`${op} ${field}: ${outcome.error.code}`);
            }
          }
        }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(100);
    expect(await readdir(canaryDir)).toEqual([]);
    expect((await readdir(lxcPath())).sort()).toEqual(before);
  });

  it("changes no admin-only config line without the ticket of an admin it knows, whatever the web tier claims", async () => {
    const stateDir = helperStateDirOf(dataDir);
    const name = uniqueName("adm");
    await client.call("lxc.create", { name, template: "busybox" });
    try {
      const file = path.join(lxcPath(), name, "config");
      const { text } = await client.call("config.read", { name });
      const canary = path.join(canaryDir, `hook-${name}`);
      const hostile = `${text}lxc.hook.pre-start = /bin/sh -c "id > ${canary}"\n`;
      await enrollAdmin(stateDir, "boss", "the-boss-password");
      const other = await mkdtemp(path.join(dataDir, "other-helper-"));
      const forged = [
        undefined,
        "not-a-ticket",
        // Signed with another helper's key; for an admin this helper does not know; expired.
        await makeTicket(other, "boss", Date.now() + 60_000),
        await makeTicket(stateDir, "intruder", Date.now() + 60_000),
        await makeTicket(stateDir, "boss", Date.now() - 1000),
      ];
      for (const ticket of forged) {
        const refused = (await client
          .call("config.write", { name, text: hostile, ...(ticket ? { ticket } : {}) })
          .then(
            () => null,
            (error: unknown) => error,
          )) as { code?: string; message?: string } | null;
        expect(refused?.code).toBe("FORBIDDEN");
        expect(refused?.message).toMatch(/lxc\.hook\.pre-start/);
        expect(await readFile(file, "utf8")).toBe(text);
      }
      // A harmless change needs no ticket (adding a protection is one); removing a protection is admin-only too.
      const guarded = `${text}lxc.cap.drop = sys_rawio\n`;
      await client.call("config.write", { name, text: guarded });
      await expect(client.call("config.write", { name, text })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await client.call("config.write", { name, text: `${guarded}lxc.start.auto = 1\n` });
      expect(await readFile(file, "utf8")).toBe(`${guarded}lxc.start.auto = 1\n`);

      // A sign-in the helper checks itself: a wrong password gets no ticket; an unknown admin gets none either
      // once the helper knows one.
      const signIn = (username: string, password: string) =>
        client.call("admins.signIn", { username, password, expiresAt: Date.now() + 60_000 });
      expect((await signIn("boss", "a-guess")).ticket).toBeNull();
      expect((await signIn("intruder", "any-password")).ticket).toBeNull();
      const { ticket } = await signIn("boss", "the-boss-password");
      expect(ticket).toEqual(expect.any(String));
      await client.call("config.write", { name, text: hostile, ticket: ticket! });
      expect(await readFile(file, "utf8")).toContain("lxc.hook.pre-start");

      // Enrolling or removing an admin needs an enrolled admin's ticket; a removed admin's tickets stop working.
      for (const bad of ["not-a-ticket", await makeTicket(other, "boss", Date.now() + 60_000)]) {
        await expect(
          client.call("admins.enroll", { username: "intruder", password: "chosen-password", ticket: bad }),
        ).rejects.toMatchObject({ code: "FORBIDDEN" });
        await expect(client.call("admins.remove", { username: "boss", ticket: bad })).rejects.toMatchObject({
          code: "FORBIDDEN",
        });
      }
      expect((await signIn("intruder", "chosen-password")).ticket).toBeNull();
      // A user made admin is enrolled by their next sign-in, once: the password then is theirs.
      await expect(
        client.call("admins.grant", { username: "third", ticket: "not-a-ticket" }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect((await signIn("third", "third-password")).ticket).toBeNull();
      await client.call("admins.grant", { username: "third", ticket: ticket! });
      expect((await signIn("third", "third-password")).ticket).toEqual(expect.any(String));
      expect((await signIn("third", "another-guess")).ticket).toBeNull();
      await client.call("admins.enroll", {
        username: "second",
        password: "second-password",
        ticket: ticket!,
      });
      expect((await signIn("second", "second-password")).ticket).toEqual(expect.any(String));
      await client.call("admins.remove", { username: "boss", ticket: ticket! });
      await expect(
        client.call("config.write", {
          name,
          text: `${hostile}lxc.hook.start-host = /bin/true\n`,
          ticket: ticket!,
        }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      // Trust on first use only before the list was ever written: emptied later, it enrols nobody by sign-in.
      const fresh = await mkdtemp(path.join(dataDir, "fresh-helper-"));
      expect(await signInAdmin(fresh, "first", "first-password", Date.now() + 60_000)).toEqual(
        expect.any(String),
      );
      await removeAdmin(fresh, "first");
      expect(await signInAdmin(fresh, "later", "later-password", Date.now() + 60_000)).toBeNull();
      const store = await stat(path.join(stateDir, "admins.json"));
      expect(store.mode & 0o777).toBe(0o600);
      expect(existsSync(canary)).toBe(false);
    } finally {
      await client.call("lxc.destroy", { name, force: true }).catch(() => undefined);
    }
  });

  it("sets only the cgroup files a live change may set, and checks configs without reading host files out", async () => {
    for (const file of [
      "devices.allow",
      "cgroup.procs",
      "../../release_agent",
      "memory.limit_in_bytes/../x",
    ]) {
      await expect(client.call("lxc.setCgroup", { name: "nothere", file, value: "a" })).rejects.toMatchObject(
        { code: "BAD_REQUEST", field: "file" },
      );
    }
    // An include of a host file whose lines LXC refuses: what LXC says about them never comes back.
    const secret = path.join(path.dirname(canaryDir), "host-secret.conf");
    await writeFile(secret, "lxc.topsecret = hunter2-value\n");
    const verdict = await client.call("lxc.checkConfig", { text: `lxc.include = ${secret}\n` });
    expect(verdict.isValid).toBe(false);
    expect(JSON.stringify(verdict)).not.toMatch(/topsecret|hunter2/);
  });

  it("checks an archive's members itself, and unpacks only into a container being made", async () => {
    const importDir = settings().importDirs[0] ?? "";
    const hostile = await writeTar(
      [{ name: "./bin/sh" }, { name: "./dev/sda", type: "blk", dev: [8, 0] }],
      path.join(importDir, "hostile-helper.tar"),
    );
    const name = uniqueName("untar");
    await client.call("tarball.prepare", { name });
    const refused = await client.call("job.unpackTarball", { path: hostile, name });
    expect(refused.problem).toMatch(/device node/);
    expect(await readdir(path.join(lxcPath(), name, "rootfs"))).toEqual([]);
    // Outside the import directories: refused naming the field, whatever the archive.
    await expect(client.call("job.unpackTarball", { path: "/etc/hostname", name })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      field: "path",
    });
    await client.call("lxc.removeLeftover", { name });
  });

  it("runs a container's life through typed calls, and streams lxc-monitor with cancel", async () => {
    const name = uniqueName("helper");
    const lines: string[] = [];
    const controller = new AbortController();
    const monitor = client
      .call("lxc.monitor", {}, { signal: controller.signal, onItem: (line) => void lines.push(String(line)) })
      .catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.call("lxc.create", { name, template: "busybox" });
    // The creation-only operations never touch an existing container.
    const config = await readFile(path.join(lxcPath(), name, "config"), "utf8");
    await expect(client.call("tarball.prepare", { name })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(client.call("tarball.writeConfig", { name, source: "x" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(client.call("lxc.removeLeftover", { name })).rejects.toMatchObject({ code: "CONFLICT" });
    const archive = await writeTar(
      [{ name: "./bin/sh" }],
      path.join(settings().importDirs[0] ?? "", "ok.tar"),
    );
    await expect(client.call("job.unpackTarball", { path: archive, name })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await readFile(path.join(lxcPath(), name, "config"), "utf8")).toBe(config);
    await client.call("lxc.start", { name });
    expect(await lxcState(name)).toBe("RUNNING");
    await expect
      .poll(() => lines.some((line) => line.includes(`'${name}' changed state to [RUNNING]`)))
      .toBe(true);
    await client.call("lxc.stop", { name, force: true });
    await client.call("lxc.destroy", { name });
    expect(await lxcState(name)).toBe("MISSING");
    controller.abort();
    expect(await monitor).toMatchObject({ message: "The operation was cancelled" });
    // The monitor process is gone with the call.
    const left = await execa("pgrep", ["-f", `lxc-monitor -P ${lxcPath()} -n`], { reject: false });
    expect(left.stdout.trim()).toBe("");
    expect(existsSync(helper.socketPath)).toBe(true);
  });
});

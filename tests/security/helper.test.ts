import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHelper, createHelper, type THelper, type THelperConnection } from "@/server/helper-client";
import { createHelperOperations } from "@/server/helper/operations";
import { hashSecret, presentTicket } from "@/server/auth/secrets";
import { enrollAdmin, makeTicket, removeAdmin, signInAdmin, TICKET_HOURS } from "@/server/helper/admins";
import { encode, PROTOCOL_VERSION } from "@/server/helper/contract/protocol";
import { startHelper } from "@/server/helper/spawn";
import { ensureRootSubids } from "@/server/helper/subids";
import { DEFAULT_IDMAP_POOL, parseIdPool, type TIdPool } from "@/server/schemas/idmap";
import { planChanges } from "@/server/host-network/plan";
import { validateConfig } from "@/server/schemas/lxc-config/validate";
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
  "admins.tokenTicket",
  "autostart.plan",
  "autostart.run",
  "autostart.setDependency",
  "autostart.setStopTimeout",
  "binds.chownSource",
  "binds.inspect",
  "binds.passThrough",
  "cache.list",
  "cache.remove",
  "cache.removePartials",
  "config.hostPaths",
  "config.read",
  "config.write",
  "console.exec",
  "console.inspect",
  "console.terminal",
  "files.accounts",
  "files.chmod",
  "files.chown",
  "files.download",
  "files.list",
  "files.mkdir",
  "files.read",
  "files.remove",
  "files.rename",
  "files.stat",
  "files.symlink",
  "files.tar",
  "files.upload",
  "files.write",
  "host.fix",
  "host.readiness",
  "idmap.assign",
  "idmap.status",
  "idmap.unassign",
  "imports.check",
  "jobs.copy",
  "jobs.createDebian",
  "jobs.restoreSnapshot",
  "jobs.settle",
  "jobs.snapshot",
  "jobs.unpackTarball",
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
  "packages.apply",
  "packages.detect",
  "packages.list",
  "packages.search",
  "rootfs.prepare",
  "services.act",
  "services.list",
  "snapshots.list",
  "tarball.prepare",
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
let client: THelper;
/** The socket without the contract's types: what a compromised web tier could send. */
let unchecked: THelperConnection;
let canaryDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "helper-"));
  canaryDir = path.join(dataDir, "canaries");
  await mkdir(canaryDir);
  // Its host root is a directory of the test's: root's subordinate ids go where newuidmap reads them (this test's
  // own /etc, an overlay over the host's: scripts/netns-sysfs.sh).
  await ensureRootSubids("/", parseIdPool(DEFAULT_IDMAP_POOL) as TIdPool);
  helper = await startHelper({
    ...settings(),
    socketPath: helperSocketPath(dataDir),
    stateDir: helperStateDirOf(dataDir),
    uploadSpool: uploadSpoolOf(dataDir),
    hostRoot: dataDir,
    allowUid: 0,
    socketGroup: 0,
  });
  client = createHelper(helper.socketPath);
  unchecked = connectHelper(helper.socketPath);
});
afterAll(async () => {
  client?.close();
  unchecked?.close();
  await helper?.stop();
});

/**
 * A session's secret as the web tier holds it (in the browser's cookie, never in its database), and a ticket made
 * for it (root's, as `atelier token create` makes one) as a call presents it.
 */
const SECRET = "atl_s_the-session-secret-of-this-test";
const BINDING = hashSecret(SECRET);
const ticketFor = async (stateDir: string, username: string, expiresAt = Date.now() + 60_000) =>
  presentTicket(await makeTicket(stateDir, username, expiresAt, BINDING), SECRET);
/** What a ticket says (its payload is readable; only its signature is the helper's secret). */
const claimsOf = (presented: string) =>
  JSON.parse(Buffer.from(presented.split(".")[0] ?? "", "base64url").toString("utf8")) as {
    u: string;
    exp: number;
  };
const refusal = (call: Promise<unknown>) =>
  call.then(
    () => null,
    (error: unknown) => error as { code?: string; message?: string; field?: string },
  );

/** Lines a raw peer gets back for what it sends, until the helper closes or 2 s pass. */
const raw = (lines: string[], runAs?: { uid: number; gid: number }) =>
  rawPeer(helper.socketPath, lines, runAs);
const hello = encode({ type: "hello", version: PROTOCOL_VERSION });

describe("the helper, to a compromised web tier", () => {
  it("offers exactly the written-down operations", async () => {
    const [greeting] = await raw([hello]);
    expect(greeting).toMatchObject({ type: "hello", version: PROTOCOL_VERSION });
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
            const outcome = await unchecked.call(op, input).then(
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
    await client.lxc.create({ name, template: "busybox" });
    try {
      const file = path.join(lxcPath(), name, "config");
      const { text } = await client.config.read({ name });
      const canary = path.join(canaryDir, `hook-${name}`);
      const hostile = `${text}lxc.hook.pre-start = /bin/sh -c "id > ${canary}"\n`;
      await enrollAdmin(stateDir, "boss", "the-boss-password");
      const other = await mkdtemp(path.join(dataDir, "other-helper-"));
      const valid = await ticketFor(stateDir, "boss");
      const forged = [
        undefined,
        "not-a-ticket",
        // Signed with another helper's key; for an admin this helper does not know; expired.
        await ticketFor(other, "boss"),
        await ticketFor(stateDir, "intruder"),
        await ticketFor(stateDir, "boss", Date.now() - 1000),
        // A valid ticket as the database stores it (without the session's secret), or with another secret.
        valid.split("~")[0],
        presentTicket(valid.split("~")[0] ?? "", "atl_s_another-session"),
      ];
      for (const ticket of forged) {
        const refused = await refusal(
          client.config.write({ name, text: hostile, ...(ticket ? { ticket } : {}) }),
        );
        expect(refused?.code).toBe("FORBIDDEN");
        expect(refused?.message).toMatch(/lxc\.hook\.pre-start/);
        expect(await readFile(file, "utf8")).toBe(text);
      }
      // A harmless change needs no ticket (adding a protection is one); removing a protection is admin-only too.
      const guarded = `${text}lxc.cap.drop = sys_rawio\n`;
      await client.config.write({ name, text: guarded });
      await expect(client.config.write({ name, text })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await client.config.write({ name, text: `${guarded}lxc.start.auto = 1\n` });
      expect(await readFile(file, "utf8")).toBe(`${guarded}lxc.start.auto = 1\n`);

      // A sign-in the helper checks itself: a wrong password gets no ticket; an unknown admin gets none either
      // once the helper knows one.
      const signIn = async (username: string, password: string) => {
        const { ticket } = await client.admins.signIn({ username, password, binding: BINDING });
        return ticket === null ? null : presentTicket(ticket, SECRET);
      };
      expect(await signIn("boss", "a-guess")).toBeNull();
      expect(await signIn("intruder", "any-password")).toBeNull();
      const ticket = await signIn("boss", "the-boss-password");
      expect(ticket).toEqual(expect.any(String));
      await client.config.write({ name, text: hostile, ticket: ticket! });
      expect(await readFile(file, "utf8")).toContain("lxc.hook.pre-start");

      // Enrolling an admin needs an enrolled admin's ticket.
      for (const bad of ["not-a-ticket", await ticketFor(other, "boss")])
        await expect(
          client.admins.enroll({ username: "intruder", password: "chosen-password", ticket: bad }),
        ).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await signIn("intruder", "chosen-password")).toBeNull();
      // A user made admin is enrolled by their next sign-in, once: the password then is theirs.
      await expect(client.admins.grant({ username: "third", ticket: "not-a-ticket" })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      expect(await signIn("third", "third-password")).toBeNull();
      await client.admins.grant({ username: "third", ticket: ticket! });
      expect(await signIn("third", "third-password")).toEqual(expect.any(String));
      expect(await signIn("third", "another-guess")).toBeNull();
      await client.admins.enroll({
        username: "second",
        password: "second-password",
        ticket: ticket!,
      });
      expect(await signIn("second", "second-password")).toEqual(expect.any(String));
      // A removed admin's tickets stop working (a removal takes only that admin's tickets away: no ticket needed).
      await client.admins.remove({ username: "boss" });
      await expect(
        client.config.write({
          name,
          text: `${hostile}lxc.hook.start-host = /bin/true\n`,
          ticket: ticket!,
        }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      // Trust on first use only before the list was ever written: emptied later, it enrols nobody by sign-in.
      const fresh = await mkdtemp(path.join(dataDir, "fresh-helper-"));
      expect(await signInAdmin(fresh, "first", "first-password", { binding: BINDING })).toEqual(
        expect.any(String),
      );
      await removeAdmin(fresh, "first");
      expect(await signInAdmin(fresh, "later", "later-password", { binding: BINDING })).toBeNull();
      const store = await stat(path.join(stateDir, "admins.json"));
      expect(store.mode & 0o777).toBe(0o600);
      expect(existsSync(canary)).toBe(false);
    } finally {
      await client.lxc.destroy({ name, force: true }).catch(() => undefined);
    }
  });

  it("judges the whole config it is asked to write: errors, unknown keys, admin-only lines and what liblxc refuses", async () => {
    const stateDir = helperStateDirOf(dataDir);
    const name = uniqueName("judge");
    await client.lxc.create({ name, template: "busybox" });
    try {
      const file = path.join(lxcPath(), name, "config");
      const { text } = await client.config.read({ name });
      // Each line added to the config as it is: a bare lxc.cgroup2 (liblxc clears every cgroup2 line, device rules
      // included), a key liblxc does not know (every tool then fails on the container), an empty cap.drop (liblxc
      // strips the quotes: every capability kept), and a value only liblxc refuses (our validation passes it).
      const liblxcOnly = "lxc.signal.halt = SIGRTMIN+99";
      expect(validateConfig(`${text}${liblxcOnly}\n`).filter((p) => p.severity === "error")).toEqual([]);
      const cases: [string, string[]][] = [
        ["lxc.cgroup2 =", ["BAD_REQUEST", "FORBIDDEN"]],
        ["lxc.cgroup2.devices.allow.extra = a", ["BAD_REQUEST", "FORBIDDEN"]],
        ['lxc.cap.drop = ""', ["FORBIDDEN"]],
        [liblxcOnly, ["BAD_REQUEST"]],
      ];
      for (const [line, codes] of cases) {
        const refused = await refusal(client.config.write({ name, text: `${text}${line}\n` }));
        expect(codes, `${line}: ${refused?.code} ${refused?.message}`).toContain(refused?.code);
        if (refused?.code === "BAD_REQUEST") expect(refused.field).toBe("text");
        expect(await readFile(file, "utf8")).toBe(text);
      }
      // An admin's ticket takes admin-only lines, not a config liblxc or our validation refuses.
      await enrollAdmin(stateDir, "judge-admin", "the-judge-password");
      const ticket = await ticketFor(stateDir, "judge-admin");
      for (const line of ["lxc.foo.bar = 1", liblxcOnly])
        expect(await refusal(client.config.write({ name, text: `${text}${line}\n`, ticket }))).toMatchObject({
          code: "BAD_REQUEST",
          field: "text",
        });
      expect(await readFile(file, "utf8")).toBe(text);
      await client.config.write({ name, text: `${text}lxc.cap.drop = ""\n`, ticket });
      expect(await readFile(file, "utf8")).toBe(`${text}lxc.cap.drop = ""\n`);

      // A tarball's config is fixed text but for a comment naming the archive: nothing the caller gives ends it.
      const made = uniqueName("tarcfg");
      await client.tarball.prepare({ name: made });
      const hook = "lxc.hook.pre-start = /bin/touch /tmp/atelier-tarball-canary";
      await client.tarball.writeConfig({
        name: made,
        source: `/x.tar\r${hook}\n${hook}\u0000${hook}`,
      });
      const written = await readFile(path.join(lxcPath(), made, "config"), "utf8");
      expect(written.includes("\r") || written.includes("\u0000")).toBe(false);
      expect(written.split("\n").filter((line) => line.includes("lxc.hook"))).toEqual([
        `# Made by Atelier from /x.tar${hook}${hook}${hook}`,
      ]);
      // As liblxc reads it: the whole file (a NUL would end it there, leaving the container without its rootfs
      // path, that is with the host's / as its root), and no hook.
      const liblxcSays = async (key: string) =>
        (await execa("lxc-info", ["-P", lxcPath(), "-n", made, "-c", key, "-l", "ERROR"], { reject: false }))
          .stdout;
      expect(await liblxcSays("lxc.rootfs.path")).toBe(
        `lxc.rootfs.path = ${path.join(lxcPath(), made, "rootfs")}`,
      );
      expect(await liblxcSays("lxc.hook.pre-start")).toBe("lxc.hook.pre-start =");
      await client.lxc.destroy({ name: made, force: true });
    } finally {
      await client.lxc.destroy({ name, force: true }).catch(() => undefined);
    }
  });

  it("takes no host network, NAT, setuid or existing container's root filesystem change without an admin's ticket", async () => {
    const stateDir = helperStateDirOf(dataDir);
    await enrollAdmin(stateDir, "host-admin", "the-host-password");
    const ticket = await ticketFor(stateDir, "host-admin");
    const bad = [undefined, "not-a-ticket", ticket.split("~")[0], await ticketFor(stateDir, "nobody")];
    const linkExists = async (dev: string) =>
      (await execa("ip", ["link", "show", dev], { reject: false })).exitCode === 0;

    // The host's network: a bridge made only on a ticket; its persisted files written only on one.
    const changes = [{ op: "bridge.create" as const, name: "athlp0" }];
    const digest = planChanges(changes, await client.network.read({}), null).digest;
    const apply = (extra: { ticket?: string }) =>
      client.network.apply({
        id: randomUUID(),
        changes,
        digest,
        sessionInterface: null,
        rollbackSeconds: null,
        ...extra,
      });
    for (const given of bad)
      expect(await refusal(apply(given ? { ticket: given } : {}))).toMatchObject({ code: "FORBIDDEN" });
    expect(await linkExists("athlp0")).toBe(false);
    const persist = (extra: { ticket?: string }) =>
      client.network.persist({ managed: ["athlp0"], containerPorts: [], ...extra });
    for (const given of bad)
      expect(await refusal(persist(given ? { ticket: given } : {}))).toMatchObject({ code: "FORBIDDEN" });
    expect(existsSync(path.join(dataDir, "etc"))).toBe(false);
    expect(await apply({ ticket })).toMatchObject({ state: "applied" });
    expect(await linkExists("athlp0")).toBe(true);
    await execa("ip", ["link", "del", "athlp0"]);

    // NAT: started and stopped on a ticket; the settings an admin started may be started again without one (the
    // web tier's start-up), until an admin stops them.
    const config = {
      bridge: "athlp1",
      address: "10.231.7.1/24",
      dhcpStart: "10.231.7.100",
      dhcpEnd: "10.231.7.150",
    };
    for (const given of bad)
      expect(await refusal(client.nat.start({ config, ...(given ? { ticket: given } : {}) }))).toMatchObject({
        code: "FORBIDDEN",
      });
    expect(await linkExists("athlp1")).toBe(false);
    try {
      await client.nat.start({ config, ticket });
      expect(await linkExists("athlp1")).toBe(true);
      await client.nat.start({ config });
      expect(
        await refusal(client.nat.start({ config: { ...config, dhcpEnd: "10.231.7.200" } })),
      ).toMatchObject({ code: "FORBIDDEN" });
      for (const given of bad)
        expect(await refusal(client.nat.stop({ config, ...(given ? { ticket: given } : {}) }))).toMatchObject(
          { code: "FORBIDDEN" },
        );
      expect(await linkExists("athlp1")).toBe(true);
      await client.nat.stop({ config, ticket });
      expect(await linkExists("athlp1")).toBe(false);
      expect(await refusal(client.nat.start({ config }))).toMatchObject({ code: "FORBIDDEN" });
    } finally {
      await client.nat.stop({ config, ticket }).catch(() => undefined);
    }

    // rootfs.prepare: into the container the helper has just made, once; into an existing one only on a ticket.
    // A container it made without an isolated id map (a privileged one) is finished only on a ticket.
    const name = uniqueName("prep");
    await client.lxc.create({ name, template: "busybox" });
    try {
      const keys = path.join(lxcPath(), name, "rootfs/root/.ssh/authorized_keys");
      const prepare = (sshKey: string, extra: { ticket?: string } = {}) =>
        client.rootfs.prepare({ name, busyboxInit: true, network: null, sshKey, ...extra });
      for (const given of bad)
        expect(
          await refusal(prepare("ssh-ed25519 AAAAprivileged p@x", given ? { ticket: given } : {})),
        ).toMatchObject({ code: "FORBIDDEN" });
      await client.idmap.assign({ name });
      await prepare("ssh-ed25519 AAAAmade made@creation");
      for (const given of bad)
        expect(
          await refusal(prepare("ssh-ed25519 AAAAtaken taken@attacker", given ? { ticket: given } : {})),
        ).toMatchObject({ code: "FORBIDDEN" });
      expect(await readFile(keys, "utf8")).toBe("ssh-ed25519 AAAAmade made@creation\n");
      await prepare("ssh-ed25519 AAAAadmin by@admin", { ticket });
      expect(await readFile(keys, "utf8")).toBe("ssh-ed25519 AAAAadmin by@admin\n");
    } finally {
      await client.lxc.destroy({ name, force: true }).catch(() => undefined);
    }

    // Setuid bits: no operation sets a mode of the caller's; an archive's bits are cleared unless a ticket keeps them.
    const archive = await writeTar(
      [{ name: "./bin/sh" }, { name: "./bin/passwd", mode: 0o4755 }, { name: "./bin/wall", mode: 0o2711 }],
      path.join(settings().importDirs[0] ?? "", "setuid-helper.tar"),
    );
    const unpacked = async (keepSetuid: boolean, extra: { ticket?: string } = {}) => {
      const made = uniqueName("suid");
      await client.tarball.prepare({ name: made });
      const rootfs = path.join(lxcPath(), made, "rootfs");
      try {
        const result = await refusal(
          client.jobs.unpackTarball({ path: archive, name: made, keepSetuid, ...extra }),
        );
        const modes = existsSync(path.join(rootfs, "bin"))
          ? [
              (await stat(path.join(rootfs, "bin/passwd"))).mode & 0o7777,
              (await stat(path.join(rootfs, "bin/wall"))).mode & 0o7777,
            ]
          : [];
        return { refused: result, modes };
      } finally {
        await client.lxc.removeLeftover({ name: made });
      }
    };
    expect(
      await refusal(
        unchecked.call("tarball.stripSetuid", { name: "x", files: [{ path: "bin/sh", mode: 0o6777 }] }),
      ),
    ).toMatchObject({ code: "BAD_REQUEST" });
    for (const given of bad) {
      const { refused, modes } = await unpacked(true, given ? { ticket: given } : {});
      expect(refused?.code).toBe("FORBIDDEN");
      expect(modes).toEqual([]);
    }
    expect(await unpacked(false)).toEqual({ refused: null, modes: [0o755, 0o711] });
    expect(await unpacked(true, { ticket })).toEqual({ refused: null, modes: [0o4755, 0o2711] });
  });

  it("sets a ticket's expiry itself, binds it to its session, and voids it when the admin's password or role changes", async () => {
    const stateDir = helperStateDirOf(dataDir);
    const name = uniqueName("tick");
    await client.lxc.create({ name, template: "busybox" });
    try {
      const { text } = await client.config.read({ name });
      const hostile = `${text}lxc.hook.pre-start = /bin/true\n`;
      const write = (ticket: string) => refusal(client.config.write({ name, text: hostile, ticket }));
      const undo = (ticket: string) => client.config.write({ name, text, ticket });
      await enrollAdmin(stateDir, "tick-admin", "the-tick-password");
      const signIn = async (expiresAt?: number, password = "the-tick-password") => {
        const { ticket } = await client.admins.signIn({
          username: "tick-admin",
          password,
          binding: BINDING,
          ...(expiresAt === undefined ? {} : { expiresAt }),
        });
        return presentTicket(ticket ?? "", SECRET);
      };

      // The web tier may ask for less than 12 h, never for more (the year 275760 is 12 h).
      const far = await signIn(8_640_000_000_000_000);
      expect(claimsOf(far).exp).toBeLessThanOrEqual(Date.now() + TICKET_HOURS * 3600_000);
      expect(claimsOf(far).exp).toBeGreaterThan(Date.now() + TICKET_HOURS * 3600_000 - 60_000);
      expect(claimsOf(await signIn(Date.now() + 60_000)).exp).toBeLessThanOrEqual(Date.now() + 60_000);
      expect(await write(far)).toBeNull();
      await undo(far);
      // Expired: the refusal says to sign in again.
      const expired = await ticketFor(stateDir, "tick-admin", Date.now() - 1);
      expect((await write(expired))?.message).toMatch(/expired.*sign in again/);

      // Bound to its session: without that session's secret (as the database keeps it), or with another one, no.
      const stored = far.split("~")[0] ?? "";
      expect((await write(stored))?.message).toMatch(/without the secret of the session/);
      expect((await write(presentTicket(stored, "atl_s_a-secret-guessed")))?.code).toBe("FORBIDDEN");
      // An admin token's ticket is bound to the token's secret, and ends no later than its maker's.
      const tokenSecret = "atl_t_the-token-secret-of-this-test";
      const forToken = (await client.admins.tokenTicket({ ticket: far, binding: hashSecret(tokenSecret) }))
        .ticket;
      expect(claimsOf(forToken).exp).toBe(claimsOf(far).exp);
      expect(await write(presentTicket(forToken, tokenSecret))).toBeNull();
      await undo(far);
      expect((await write(presentTicket(forToken, SECRET)))?.code).toBe("FORBIDDEN");
      await expect(
        client.admins.tokenTicket({ ticket: stored, binding: hashSecret(tokenSecret) }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });

      // A password change voids every earlier ticket, the helper's and root's (a CLI token's) alike; the admin who
      // changed their own password gets theirs back renewed.
      const root = await ticketFor(stateDir, "tick-admin", Date.now() + 10 * 365 * 86_400_000);
      const { ticket: renewed } = await client.admins.enroll({
        username: "tick-admin",
        password: "the-new-tick-password",
        ticket: far,
      });
      for (const old of [far, root, presentTicket(forToken, tokenSecret)])
        expect((await write(old))?.message).toMatch(/password or role changed/);
      expect(await write(presentTicket(renewed ?? "", SECRET))).toBeNull();
      await undo(presentTicket(renewed ?? "", SECRET));
      // Changed by another admin (a reset): no ticket back.
      await enrollAdmin(stateDir, "other-admin", "the-other-password");
      const byOther = await ticketFor(stateDir, "other-admin");
      const mine = await signIn(undefined, "the-new-tick-password");
      expect(
        await client.admins.enroll({
          username: "tick-admin",
          password: "the-third-tick-password",
          ticket: byOther,
        }),
      ).toEqual({ ticket: null });
      expect((await write(mine))?.code).toBe("FORBIDDEN");

      // Demoted or disabled (both remove the admin): every ticket is void, and stays void once made admin again.
      const before = await signIn(undefined, "the-third-tick-password");
      await client.admins.remove({ username: "tick-admin" });
      expect((await write(before))?.code).toBe("FORBIDDEN");
      await client.admins.grant({ username: "tick-admin", ticket: byOther });
      const again = await signIn(undefined, "the-third-tick-password");
      expect((await write(before))?.message).toMatch(/password or role changed/);
      expect(await write(again)).toBeNull();
    } finally {
      await client.lxc.destroy({ name, force: true }).catch(() => undefined);
    }
  });

  it("sets only the cgroup files a live change may set, and checks configs without reading host files out", async () => {
    for (const file of [
      "devices.allow",
      "cgroup.procs",
      "../../release_agent",
      "memory.limit_in_bytes/../x",
    ]) {
      await expect(client.lxc.setCgroup({ name: "nothere", file, value: "a" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        field: "file",
      });
    }
    // lxc-cgroup's getopt would read it as -o FILE, a log file written as root.
    await expect(
      client.lxc.setCgroup({ name: "nothere", file: "pids.max", value: "-o.env" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", field: "value" });
    // An include of a host file whose lines LXC refuses: what LXC says about them never comes back.
    const secret = path.join(path.dirname(canaryDir), "host-secret.conf");
    await writeFile(secret, "lxc.topsecret = hunter2-value\n");
    const verdict = await client.lxc.checkConfig({ text: `lxc.include = ${secret}\n` });
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
    await client.tarball.prepare({ name });
    const refused = await client.jobs.unpackTarball({ path: hostile, name });
    expect(refused.problem).toMatch(/device node/);
    expect(await readdir(path.join(lxcPath(), name, "rootfs"))).toEqual([]);
    // Outside the import directories: refused naming the field, whatever the archive.
    await expect(client.jobs.unpackTarball({ path: "/etc/hostname", name })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      field: "path",
    });
    await client.lxc.removeLeftover({ name });
  });

  it("runs a container's life through typed calls, and streams lxc-monitor with cancel", async () => {
    const name = uniqueName("helper");
    const lines: string[] = [];
    const controller = new AbortController();
    const monitor = client.lxc
      .monitor({}, { signal: controller.signal, onItem: (line) => void lines.push(String(line)) })
      .catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.lxc.create({ name, template: "busybox" });
    // The creation-only operations never touch an existing container.
    const config = await readFile(path.join(lxcPath(), name, "config"), "utf8");
    await expect(client.tarball.prepare({ name })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(client.tarball.writeConfig({ name, source: "x" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(client.lxc.removeLeftover({ name })).rejects.toMatchObject({ code: "CONFLICT" });
    const archive = await writeTar(
      [{ name: "./bin/sh" }],
      path.join(settings().importDirs[0] ?? "", "ok.tar"),
    );
    await expect(client.jobs.unpackTarball({ path: archive, name })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await readFile(path.join(lxcPath(), name, "config"), "utf8")).toBe(config);
    // Half made, it does not start; finished (its own range of ids, its files), it does.
    await expect(client.lxc.start({ name })).rejects.toMatchObject({ code: "CONFLICT" });
    await client.idmap.assign({ name });
    await client.rootfs.prepare({ name, busyboxInit: true, network: null });
    await client.lxc.start({ name });
    expect(await lxcState(name)).toBe("RUNNING");
    await expect
      .poll(() => lines.some((line) => line.includes(`'${name}' changed state to [RUNNING]`)))
      .toBe(true);
    await client.lxc.stop({ name, force: true });
    await client.lxc.destroy({ name });
    expect(await lxcState(name)).toBe("MISSING");
    controller.abort();
    expect(await monitor).toMatchObject({ message: "The operation was cancelled" });
    // The monitor process is gone with the call.
    const left = await execa("pgrep", ["-f", `lxc-monitor -P ${lxcPath()} -n`], { reject: false });
    expect(left.stdout.trim()).toBe("");
    expect(existsSync(helper.socketPath)).toBe(true);
  });
});

import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createDb } from "@/server/db";
import { signInAdmin } from "@/server/helper/admins";
import { callProcedure, startServer } from "../server";

const root = path.resolve(import.meta.dirname, "../..");
const atelier = (args: string[], env: Record<string, string>, input?: string) =>
  execa("node", ["bin/atelier.js", ...args], { cwd: root, env, input, reject: false });

describe("the atelier command line", () => {
  it("adds users, sets passwords and makes tokens on the database directly, each audited", async () => {
    const dataDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "cli-"));
    // The database where it belongs (web/, the web user's); the CLI, run by root, works on it as that user.
    const env = {
      ATELIER_DATA_DIR: dataDir,
      DATABASE_URL: `file:${path.join(dataDir, "web", "atelier.db")}`,
    };

    const added = await atelier(["user", "add", "alice", "--role", "admin"], env, "first-password-1\n");
    expect(added.exitCode).toBe(0);
    expect(added.stdout).toBe("");
    expect((await atelier(["user", "add", "bob", "--role", "viewer"], env, "short\n")).stderr).toMatch(
      /at least 10 characters/,
    );
    expect(
      (await atelier(["user", "add", "Bad Name", "--role", "viewer"], env, "long-enough-1\n")).exitCode,
    ).toBe(2);
    expect((await atelier(["user", "passwd", "alice"], env, "second-password-2\n")).exitCode).toBe(0);
    // Made by root, owned by the web user: the web tier can open it (and its journal files) afterwards.
    const webUid = Number((await execa("id", ["-u", "atelier"])).stdout);
    expect((await stat(path.join(dataDir, "web", "atelier.db"))).uid).toBe(webUid);
    // An admin's password is in the helper's own list of admins too (root's, 0600): the helper vouches for alice.
    const helperDir = path.join(dataDir, "helper");
    expect((await stat(path.join(helperDir, "admins.json"))).mode & 0o777).toBe(0o600);
    const binding = "0".repeat(64);
    expect(await signInAdmin(helperDir, "alice", "first-password-1", { binding })).toBeNull();
    expect(await signInAdmin(helperDir, "alice", "second-password-2", { binding })).toEqual(
      expect.any(String),
    );

    const created = await atelier(
      ["token", "create", "alice", "--name", "backup", "--role", "viewer", "--expires-days", "5"],
      env,
    );
    expect(created.exitCode).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^atl_t_[A-Za-z0-9_-]+$/);
    expect(created.stderr).not.toContain(token);

    // The server started on that database accepts the token and the new password.
    const server = await startServer(
      { ATELIER_DATA_DIR: dataDir, DATABASE_URL: env.DATABASE_URL },
      { withUsers: false },
    );
    try {
      const bearer = { as: null, headers: { authorization: `Bearer ${token}` } } as const;
      const status = await callProcedure(server, "auth.status", undefined, { kind: "query", ...bearer });
      expect(status.data).toMatchObject({
        isSetupRequired: false,
        user: { username: "alice", role: "viewer", via: "token" },
      });
      expect(server.output()).not.toContain("/setup#token=");
      const signIn = await callProcedure(
        server,
        "auth.signIn",
        { username: "alice", password: "second-password-2" },
        { as: null },
      );
      expect(signIn.status).toBe(200);

      const lookup = createDb(env.DATABASE_URL);
      const id = (await lookup.apiToken.findFirst({ where: { name: "backup" } }))?.id;
      await lookup.$disconnect();
      expect((await atelier(["token", "revoke", String(id)], env)).exitCode).toBe(0);
      expect(
        (await callProcedure(server, "containers.list", undefined, { kind: "query", ...bearer })).status,
      ).toBe(401);
    } finally {
      await server.stop();
    }

    const db = createDb(env.DATABASE_URL);
    const actions = (await db.auditEntry.findMany({ where: { via: "cli" } })).map(
      (entry) => `${entry.actor} ${entry.action}`,
    );
    await db.$disconnect();
    expect(actions).toEqual(
      expect.arrayContaining([
        "cli:root cli.user.add",
        "cli:root cli.user.passwd",
        "cli:root cli.token.create",
        "cli:root cli.token.revoke",
      ]),
    );
  });

  it("shows root's lines for the id pool in /etc/subuid and /etc/subgid, and adds them, keeping the others", async () => {
    const dataDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "cli-"));
    const hostRoot = path.join(dataDir, "host");
    await mkdir(path.join(hostRoot, "etc"), { recursive: true });
    await writeFile(path.join(hostRoot, "etc", "subuid"), "alice:100000:65536");
    const env = {
      ATELIER_DATA_DIR: dataDir,
      DATABASE_URL: `file:${path.join(dataDir, "web", "atelier.db")}`,
      ATELIER_HOST_ROOT: hostRoot,
    };
    const shown = await atelier(["subids", "show"], env);
    expect(shown.exitCode).toBe(1);
    expect(shown.stdout).toContain("root:1000000:65536000  missing: add this line");
    expect(await readFile(path.join(hostRoot, "etc", "subuid"), "utf8")).toBe("alice:100000:65536");
    const granted = await atelier(["subids", "grant"], env);
    expect(granted.exitCode, granted.stderr).toBe(0);
    expect(granted.stdout).toContain("root's line added");
    // Appended in place, the other owner's line kept; a second grant adds nothing.
    expect(await readFile(path.join(hostRoot, "etc", "subuid"), "utf8")).toBe(
      "alice:100000:65536\nroot:1000000:65536000\n",
    );
    expect(await readFile(path.join(hostRoot, "etc", "subgid"), "utf8")).toBe("root:1000000:65536000\n");
    expect((await atelier(["subids", "grant"], env)).stdout).toContain("gives root the pool");
    // Another owner inside the pool: nothing written, the conflict named.
    await writeFile(path.join(hostRoot, "etc", "subgid"), "bob:1065536:65536\n");
    const conflict = await atelier(["subids", "grant"], env);
    expect(conflict.exitCode).toBe(1);
    expect(conflict.stdout).toContain("bob:1065536:65536 (another owner) overlaps the pool");
    expect(await readFile(path.join(hostRoot, "etc", "subgid"), "utf8")).toBe("bob:1065536:65536\n");
  });
});

import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "@/server/db";
import { lxcState, uniqueName } from "../lxc-oracle";
import { PASSWORD } from "../server";
import { useServer } from "../use-server";

/**
 * The command line's container commands (server/cli/api-main.ts) against the real server and real busybox
 * containers: with a token (ATELIER_URL, ATELIER_TOKEN), with a stored login (`atelier login`), and as root on the
 * host with neither, through the web tier's local socket (an admin audited as local:root).
 */
// Each CLI run loads Node and tsx (a second or more on a busy machine): more than a server's default two minutes.
const server = useServer({ timeoutMs: 900_000 });
const root = path.resolve(import.meta.dirname, "../..");
const homes: string[] = [];
afterAll(async () => {
  for (const home of homes) await rm(home, { recursive: true, force: true });
});
const newHome = async () => {
  const home = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "home-"));
  homes.push(home);
  return home;
};

/** The CLI as `npx atelier` runs it (bin/atelier.js), with only the environment given (and PATH). */
const atelier = (args: string[], env: Record<string, string>, input = "") =>
  execa("node", ["bin/atelier.js", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    extendEnv: false,
    input,
    reject: false,
    timeout: 180_000,
  });

/** Root on the host: no token, no URL, a HOME with no stored login; the server found by its data directory. */
const asLocalRoot = async () => ({ ATELIER_DATA_DIR: server.dataDir, HOME: await newHome() });
const withToken = async (as: "admin" | "operator" | "viewer" | "bogus") => ({
  ATELIER_URL: server.url,
  ATELIER_TOKEN: as === "bogus" ? "atl_t_nope" : server.tokens[as],
  HOME: await newHome(),
});

describe("atelier ls, start, stop … through the API", () => {
  let name = "";

  it("as root on the host without a token: creates, lists, starts, freezes and stops over the local socket, audited as local:root", async () => {
    const env = await asLocalRoot();
    name = uniqueName("clr");
    server.made.push(name);
    const created = await atelier(["create", name, "--template", "busybox"], env);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(await lxcState(name)).toBe("STOPPED");

    const listed = await atelier(["ls", "--json"], env);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const list = JSON.parse(listed.stdout) as { name: string; state: string }[];
    expect(list).toContainEqual(expect.objectContaining({ name, state: "STOPPED" }));
    const table = await atelier(["ls"], env);
    expect(table.stdout.split("\n")[0]).toMatch(/^NAME +STATE +AUTOSTART +GROUPS +IPV4 +IPV6 +UNPRIVILEGED$/);
    expect((await atelier(["ls", "--names"], env)).stdout.split("\n")).toContain(name);

    expect((await atelier(["start", name], env)).exitCode).toBe(0);
    expect(await lxcState(name)).toBe("RUNNING");
    const info = await atelier(["info", name, "--json"], env);
    expect(JSON.parse(info.stdout)).toMatchObject({ name, state: "RUNNING" });
    expect((await atelier(["freeze", name], env)).exitCode).toBe(0);
    expect(await lxcState(name)).toBe("FROZEN");
    expect((await atelier(["unfreeze", name], env)).exitCode).toBe(0);
    expect(await lxcState(name)).toBe("RUNNING");
    const stopped = await atelier(["stop", name, "--kill"], env);
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(await lxcState(name)).toBe("STOPPED");

    const db = createDb(server.databaseUrl);
    try {
      const rows = await db.auditEntry.findMany({ where: { target: name, action: "containers.start" } });
      expect(rows).toEqual([expect.objectContaining({ actor: "local:root", via: "local", result: "ok" })]);
    } finally {
      await db.$disconnect();
    }
    // Only root and the web tier's user can enter the socket's directory.
    const dir = await stat(path.join(server.dataDir, "web", "run"));
    expect(dir.mode & 0o777).toBe(0o700);
    expect(dir.uid).toBe(Number((await execa("id", ["-u", "atelier"])).stdout));
  });

  it("takes snapshots of a stopped container and lists them as JSON", async () => {
    const env = await asLocalRoot();
    const made = await atelier(["snapshot", name, "create", "--comment", "before"], env);
    expect(made.exitCode, made.stderr).toBe(0);
    const listed = await atelier(["snapshot", name, "list", "--json"], env);
    const snapshots = JSON.parse(listed.stdout) as { name: string; comment: string | null }[];
    expect(snapshots).toEqual([expect.objectContaining({ comment: "before" })]);
    const removed = await atelier(["snapshot", name, "delete", snapshots[0]?.name ?? ""], env);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(JSON.parse((await atelier(["snapshot", name, "--json"], env)).stdout)).toEqual([]);
  });

  it("exits 2 on a usage error, 3 for what does not exist, 4 for a refused token or role, 5 for a wrong state", async () => {
    const operator = await withToken("operator");
    const usage = await atelier(["start"], operator);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toMatch(/^atelier start: .*\nusage: atelier start NAME$/);
    expect((await atelier(["ls", "--bogus"], operator)).exitCode).toBe(2);

    const missing = await atelier(["info", "no-such-ctr"], operator);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect((await atelier(["start", "no-such-ctr"], operator)).exitCode).toBe(3);

    const bogus = await atelier(["ls"], await withToken("bogus"));
    expect(bogus.exitCode).toBe(4);
    expect(bogus.stderr).toMatch(/^atelier ls: the server refused the token \(401\): .*atelier login/);
    const viewer = await atelier(["start", name], await withToken("viewer"));
    expect(viewer.exitCode).toBe(4);
    expect(await lxcState(name)).toBe("STOPPED");

    expect((await atelier(["start", name], operator)).exitCode).toBe(0);
    const again = await atelier(["start", name], operator);
    expect(again.exitCode, again.stderr).toBe(5);
    expect((await atelier(["stop", name, "--timeout", "1"], operator)).exitCode).toBe(0);
  });

  it("refuses to destroy without --yes when it cannot ask", async () => {
    const refused = await atelier(["destroy", name], await withToken("operator"));
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/add --yes/);
    expect(await lxcState(name)).toBe("STOPPED");
  });

  it("marks a container to start with the host and shows it in the boot order", async () => {
    const env = await asLocalRoot();
    const set = await atelier(["autostart", name, "on", "--order", "7", "--delay", "2"], env);
    expect(set.exitCode, set.stderr).toBe(0);
    const board = await atelier(["autostart", "--json"], env);
    expect(board.exitCode, board.stderr).toBe(0);
    const parsed = JSON.parse(board.stdout) as {
      startOrder: string[];
      containers: { name: string; auto: boolean; order: number; delay: number }[];
    };
    expect(parsed.containers.find((entry) => entry.name === name)).toMatchObject({
      auto: true,
      order: 7,
      delay: 2,
    });
    expect(parsed.startOrder).toContain(name);
    const off = await atelier(["autostart", name, "off"], env);
    expect(off.exitCode, off.stderr).toBe(0);
    const after = JSON.parse((await atelier(["autostart", "--json"], env)).stdout) as {
      startOrder: string[];
    };
    expect(after.startOrder).not.toContain(name);
  });

  it("logs in with a username and password into a 0600 file, then works without the environment; logout revokes", async () => {
    const home = await newHome();
    const login = await atelier(
      ["login", server.url, "--username", "operator"],
      { HOME: home },
      `${PASSWORD}\n`,
    );
    expect(login.exitCode, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/^logged in to http:\/\/127\.0\.0\.1:\d+ as operator \(operator\)/);
    const file = path.join(home, ".config", "atelier", "credentials");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);

    const info = await atelier(["info", name, "--json"], { HOME: home });
    expect(info.exitCode, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ name });

    await chmod(file, 0o640);
    const unsafe = await atelier(["ls"], { HOME: home });
    expect(unsafe.exitCode).toBe(1);
    expect(unsafe.stderr).toMatch(/readable by others.*chmod 600/);
    await chmod(file, 0o600);

    const { token } = JSON.parse(
      await import("node:fs/promises").then((fs) => fs.readFile(file, "utf8")),
    ) as {
      token: string;
    };
    expect((await atelier(["logout"], { HOME: home })).exitCode).toBe(0);
    await expect(stat(file)).rejects.toThrow();
    // The token it made is revoked with it.
    const revoked = await atelier(["ls"], { ATELIER_URL: server.url, ATELIER_TOKEN: token, HOME: home });
    expect(revoked.exitCode).toBe(4);

    const wrong = await atelier(
      ["login", server.url, "--username", "operator"],
      { HOME: home },
      "wrong-password\n",
    );
    expect(wrong.exitCode).toBe(4);

    // --token -: a token read from stdin (not in the command line others see in ps), kept like one made.
    const piped = await atelier(
      ["login", server.url, "--token", "-"],
      { HOME: home },
      `${server.tokens.viewer}\n`,
    );
    expect(piped.exitCode, piped.stderr).toBe(0);
    const listed = await atelier(["ls", "--json"], { HOME: home });
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(
      (await atelier(["login", server.url, "--token", "-"], { HOME: await newHome() }, "\n")).exitCode,
    ).toBe(2);
  });

  it("prints a bash completion script that completes commands, options and container names", async () => {
    const script = await atelier(["completion", "bash"], {});
    expect(script.exitCode).toBe(0);
    const file = path.join(await newHome(), "atelier.bash");
    await writeFile(file, script.stdout);
    expect((await execa("bash", ["-n", file], { reject: false })).exitCode).toBe(0);
    // `atelier` on PATH as an installed one would be, reaching this server as root on the host.
    const bin = path.join(path.dirname(file), "atelier");
    await writeFile(bin, `#!/bin/sh\nexec node ${path.join(root, "bin/atelier.js")} "$@"\n`);
    await chmod(bin, 0o755);
    const complete = async (words: string[]) =>
      (
        await execa(
          "bash",
          [
            "-c",
            `source ${file}; COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _atelier; echo "\${COMPREPLY[@]}"`,
          ],
          {
            cwd: root,
            env: {
              PATH: `${path.dirname(file)}:${process.env.PATH ?? ""}`,
              ATELIER_DATA_DIR: server.dataDir,
              HOME: path.dirname(file),
            },
            extendEnv: false,
          },
        )
      ).stdout.trim();
    expect(await complete(["atelier", "st"])).toBe("start stop");
    expect(await complete(["atelier", "stop", "--k"])).toBe("--kill");
    expect(await complete(["atelier", "snapshot", name, "re"])).toBe("restore");
    expect((await complete(["atelier", "start", ""])).split(" ")).toContain(name);
  });

  it("destroys with --yes", async () => {
    const destroyed = await atelier(["destroy", name, "--yes"], await asLocalRoot());
    expect(destroyed.exitCode, destroyed.stderr).toBe(0);
    expect(await lxcState(name)).toBe("MISSING");
  });
});

import { X509Certificate } from "node:crypto";
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { createServer as createHttpsServer } from "node:https";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import type { TContainerSummary } from "../trpc/routers/containers/schemas";
import { bashCompletion } from "./completion";
import { namesOf } from "./containers";
import { trustedLocalSocket } from "./endpoint";
import { readCredentials, writeCredentials, type TCredentials } from "./credentials";
import { formatFields, formatTable, printable } from "./output";

/**
 * What the CLI does with answers it did not write: container names, cells and messages from a server (a panel
 * elsewhere, or a web tier that is no longer what it was, answering root on the local socket), and a stored
 * login's file in a directory someone else may change. None of it may run in the user's shell or reach the terminal
 * as control sequences, and the credentials are read and written only as this user's own.
 */
const temporary: string[] = [];
afterEach(async () => {
  for (const dir of temporary.splice(0)) await rm(dir, { recursive: true, force: true });
});
const tempDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "atelier-hostile-"));
  temporary.push(dir);
  return dir;
};

const HOSTILE_NAMES = [
  "web1",
  "$(touch PWNED1)",
  "`touch PWNED2`",
  "${HOME}",
  "a b",
  "web2",
  "-x",
  "x\u001b]0;t\u0007",
];

describe("names from the server", () => {
  it("completes only container names, matched as text: a name is never expanded by the shell", async () => {
    const dir = await tempDir();
    const fake = path.join(dir, "atelier");
    // The `atelier ls --names` a hostile server would make: every line as it came.
    await writeFile(fake, `#!/bin/sh\ncat <<'EOF'\n${HOSTILE_NAMES.join("\n")}\nEOF\n`);
    await chmod(fake, 0o755);
    const script = path.join(dir, "completion.bash");
    await writeFile(script, bashCompletion());
    const complete = async (words: string[]) =>
      (
        await execa("bash", [
          "-c",
          `cd "$1" && source "$2" && COMP_WORDS=("\${@:3}") && COMP_CWORD=$(($# - 3)) && _atelier && printf '%s\\n' "\${COMPREPLY[@]}"`,
          "bash",
          dir,
          script,
          fake,
          ...words,
        ])
      ).stdout;
    expect((await complete(["start", ""])).trim().split("\n")).toEqual(["web1", "web2"]);
    expect((await complete(["info", "web2"])).trim()).toBe("web2");
    expect((await complete(["create", "x", "--clone", "w"])).trim().split("\n")).toEqual(["web1", "web2"]);
    expect((await complete(["exec", "$"])).trim()).toBe("");
    expect((await readdir(dir)).filter((name) => name.startsWith("PWNED"))).toEqual([]);
    await execa("bash", ["-n", script]);
  }, 60_000);

  it("`ls --names` prints only container names, and says it left others out", () => {
    const said: string[] = [];
    const list = HOSTILE_NAMES.map((name) => ({ name }) as TContainerSummary);
    expect(namesOf(list, (text) => said.push(text))).toBe("web1\nweb2\n");
    expect(said.join("")).toMatch(/6 name\(s\) that are not container names/);
    expect(namesOf([{ name: "ok" } as TContainerSummary], (text) => said.push(text))).toBe("ok\n");
  });

  it("prints no control character of an answer, and no cell can forge a line", () => {
    const table = formatTable(["NAME", "STATE"], [["web\u001b[2J", "RUNNING\nevil  STOPPED"]]);
    // eslint-disable-next-line no-control-regex
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(table.trimEnd().split("\n")).toHaveLength(2);
    const fields = formatFields([["state", "up\u009b31m\r\nname: forged"]]);
    expect(fields.trimEnd().split("\n")).toEqual(["state:  up\ufffd31m\ufffd\ufffdname: forged"]);
    expect(printable("line one\n\u001b]52;c;cm0gLXJm\u0007two\tcols")).toBe(
      "line one\n\ufffd]52;c;cm0gLXJm\ufffdtwo\tcols",
    );
  });
});

const CREDENTIALS: TCredentials = {
  url: "https://panel.example:8443/",
  token: "atl_t_secret",
  tokenId: 1,
  username: "ada",
  role: "admin",
  trust: "none",
  fingerprint: null,
  pem: null,
  createdAt: new Date(0).toISOString(),
};

describe("the stored login's file", () => {
  it("is not read through a link, nor when it is another user's or readable by others", async () => {
    const dir = await tempDir();
    const real = path.join(dir, "real");
    await writeFile(real, JSON.stringify(CREDENTIALS), { mode: 0o600 });
    const file = path.join(dir, "credentials");
    await symlink(real, file);
    await expect(readCredentials(file)).rejects.toThrow(/not a regular file/);
    await rm(file);
    await writeFile(file, JSON.stringify(CREDENTIALS), { mode: 0o644 });
    await chmod(file, 0o644);
    await expect(readCredentials(file)).rejects.toThrow(/readable by others/);
    await chmod(file, 0o600);
    expect(await readCredentials(file)).toEqual(CREDENTIALS);
    if (process.getuid?.() === 0) {
      await chown(file, 65534, 65534);
      await expect(readCredentials(file)).rejects.toThrow(/belongs to another user/);
    }
    // A FIFO in its place: refused at once, not waited on.
    await rm(file);
    await execa("mkfifo", ["-m", "600", file]);
    await expect(readCredentials(file)).rejects.toThrow(/not a regular file/);
    expect(await readCredentials(path.join(dir, "none"))).toBeNull();
  });

  it("is never written through a linked directory, nor into another user's (root with someone's HOME)", async () => {
    const home = await tempDir();
    const elsewhere = path.join(home, "elsewhere");
    await mkdir(elsewhere, { mode: 0o755 });
    await chmod(elsewhere, 0o755);
    await mkdir(path.join(home, ".config"));
    await symlink(elsewhere, path.join(home, ".config", "atelier"));
    const file = path.join(home, ".config", "atelier", "credentials");
    await expect(writeCredentials(file, CREDENTIALS)).rejects.toThrow(/is not a directory/);
    // The link's target kept its mode, and got no file.
    expect((await stat(elsewhere)).mode & 0o777).toBe(0o755);
    expect(await readdir(elsewhere)).toEqual([]);

    await rm(path.join(home, ".config", "atelier"));
    if (process.getuid?.() === 0) {
      await mkdir(path.join(home, ".config", "atelier"), { mode: 0o755 });
      await chown(path.join(home, ".config", "atelier"), 65534, 65534);
      await expect(writeCredentials(file, CREDENTIALS)).rejects.toThrow(/belongs to another user/);
      await rm(path.join(home, ".config", "atelier"), { recursive: true });
    }
    await writeCredentials(file, CREDENTIALS);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readCredentials(file)).toEqual(CREDENTIALS);
  });
});

describe("the local socket root's CLI talks to", () => {
  const listen = (file: string) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(file, () => resolve(server));
    });

  it.runIf(process.getuid?.() === 0)(
    "is taken only where no user but root and the web tier's could have put it",
    async () => {
      const top = await tempDir();
      await chmod(top, 0o711);
      const data = path.join(top, "data");
      const web = path.join(data, "web");
      const run = path.join(web, "run");
      await mkdir(run, { recursive: true, mode: 0o700 });
      await chmod(data, 0o711);
      const socketPath = path.join(run, "cli.sock");
      const server = await listen(socketPath);
      try {
        // As the launcher and the web tier make them: web/ and below the web user's (here nobody).
        for (const file of [web, run, socketPath]) await chown(file, 65534, 65534);
        expect(await trustedLocalSocket(data)).toBe(socketPath);
        // Reached through a link: the real path is checked and connected.
        await symlink(data, path.join(top, "linked"));
        expect(await trustedLocalSocket(path.join(top, "linked"))).toBe(socketPath);

        // A data directory a user could rename, or a directory above it anyone may write to.
        await chown(data, 65534, 65534);
        await expect(trustedLocalSocket(data)).rejects.toThrow(/belongs to uid 65534, not root/);
        await chown(data, 0, 0);
        await chmod(top, 0o777);
        await expect(trustedLocalSocket(data)).rejects.toThrow(/writable by others \(mode 777\)/);
        await chmod(top, 0o1777);
        expect(await trustedLocalSocket(data)).toBe(socketPath);
        await chmod(data, 0o1777);
        await expect(trustedLocalSocket(data)).rejects.toThrow(/writable by others/);
        await chmod(data, 0o711);
        await chmod(top, 0o711);

        // web/run/ open to others, or a socket of another user than the directories'.
        await chmod(run, 0o755);
        await expect(trustedLocalSocket(data)).rejects.toThrow(/web\/run\/ is open to others/);
        await chmod(run, 0o700);
        await chown(socketPath, 1000, 1000);
        await expect(trustedLocalSocket(data)).rejects.toThrow(/belong to different users/);
      } finally {
        server.close();
      }
      await rm(socketPath, { force: true });
      await writeFile(socketPath, "");
      await expect(trustedLocalSocket(data)).rejects.toThrow(/not what the web tier makes/);
      await rm(socketPath);
      await expect(trustedLocalSocket(data)).rejects.toThrow(/no local socket/);
    },
  );
});

describe("atelier login --fingerprint", () => {
  it("refuses a certificate this machine vouches for when it is not the one named: nothing is sent", async () => {
    const dir = await tempDir();
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    await execa("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ]);
    // An interceptor whose authority this machine trusts (NODE_EXTRA_CA_CERTS below): it notes what reaches it.
    const seen: string[] = [];
    const interceptor = createHttpsServer(
      { key: await readFile(key), cert: await readFile(cert) },
      (req, res) => {
        seen.push(`${req.url ?? ""} ${req.headers.authorization ?? ""}`);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ result: { data: { json: { user: { username: "ada", role: "admin" } } } } }));
      },
    );
    await new Promise<void>((resolve) => interceptor.listen(0, "127.0.0.1", resolve));
    const port = (interceptor.address() as { port: number }).port;
    const login = (fingerprint: string) =>
      execa(
        "node",
        [
          "bin/atelier.js",
          "login",
          `https://127.0.0.1:${port}`,
          "--token",
          "atl_t_secret",
          "--fingerprint",
          fingerprint,
        ],
        {
          cwd: path.resolve(import.meta.dirname, "../.."),
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, NODE_EXTRA_CA_CERTS: cert },
          extendEnv: false,
          reject: false,
          timeout: 60_000,
        },
      );
    try {
      const refused = await login("AB".repeat(32));
      expect(refused.exitCode, refused.stderr).toBe(4);
      expect(refused.stderr).toMatch(/not the one --fingerprint names/);
      expect(seen).toEqual([]);
      const fingerprint = new X509Certificate(await readFile(cert)).fingerprint256;
      const taken = await login(fingerprint.toLowerCase());
      expect(taken.exitCode, taken.stderr).toBe(0);
      expect(seen).toEqual(["/api/trpc/auth.status Bearer atl_t_secret"]);
    } finally {
      interceptor.close();
    }
  }, 120_000);
});

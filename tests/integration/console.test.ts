import { describe, expect, it } from "vitest";
import { startThroughApi, stopThroughApi } from "../containers";
import { connectConsole, isRefusal, openTerminal, type TConsoleClient } from "../console";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { request } from "node:http";
import { createAccounts } from "@/server/auth/accounts";
import { createDb } from "@/server/db";
import { configOf, createBusybox, signInAs } from "../security/helpers";

/**
 * Shells, consoles and commands against real LXC (docs/console.md): busybox containers, unprivileged unless said,
 * driven through console.open and the WebSocket as the Shell tab does, and containers.exec as scripts do.
 */
const server = useServer({ timeoutMs: 5 * 60_000 });
const { made } = server;

type TExec = {
  exitCode: number | null;
  signal: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
};

const exec = async (input: Record<string, unknown>, as: "operator" | "admin" | "viewer" = "operator") =>
  callProcedure(server, "containers.exec", input, { as });

const running = async (options: { privileged?: boolean } = {}) => {
  const name = await createBusybox(server, undefined, options);
  made.push(name);
  await startThroughApi(server, name);
  return name;
};

const auditOf = async (action: string) =>
  (
    (await callProcedure(server, "audit.list", { action }, { kind: "query", as: "admin" })).data as {
      entries: { action: string; actor: string; target: string | null; input: string | null }[];
    }
  ).entries;

describe("commands in containers (containers.exec)", () => {
  it("returns the exit code, stdout and stderr apart, passes stdin, and bounds the output, saying so", async () => {
    const name = await running();
    const done = await exec({ name, argv: ["sh", "-c", "echo out; echo err >&2; exit 7"] });
    expect(done.status, JSON.stringify(done.error)).toBe(200);
    expect(done.data).toMatchObject({ exitCode: 7, stdout: "out\n", stderr: "err\n", timedOut: false });

    const fed = (await exec({ name, argv: ["cat"], stdin: "hello from stdin\n" })).data as TExec;
    expect(fed).toMatchObject({ exitCode: 0, stdout: "hello from stdin\n" });

    // A clean environment: the helper's own variables never reach the container.
    const env = (await exec({ name, argv: ["env"] })).data as TExec;
    expect(env.stdout).toMatch(/^PATH=\/usr\/local\/sbin:/m);
    expect(env.stdout).toMatch(/^HOME=\/root$/m);
    expect(env.stdout).not.toMatch(/ATELIER|LXC_|DATABASE_URL/);

    const big = (await exec({ name, argv: ["sh", "-c", "yes | head -c 3000000"] })).data as TExec;
    expect(big).toMatchObject({ exitCode: 0, stdoutTruncated: true, stdoutBytes: 3000000 });
    expect(big.stdout.length).toBe(1024 * 1024);

    const slow = (await exec({ name, argv: ["sleep", "30"], timeoutSeconds: 1 })).data as TExec;
    expect(slow.timedOut).toBe(true);

    // Audited with the real actor; what was fed on stdin is not kept.
    const entries = await auditOf("containers.exec");
    expect(entries.some((entry) => entry.actor === "operator" && entry.target === name)).toBe(true);
    expect(entries.map((entry) => entry.input ?? "").join()).not.toContain("hello from stdin");
  });

  it("refuses viewers, stopped containers, unknown guest users, and operators on a privileged container", async () => {
    const name = await running();
    expect((await exec({ name, argv: ["true"] }, "viewer")).status).toBe(403);
    const nobody = await exec({ name, argv: ["true"], user: "nosuchuser" });
    expect(nobody.status).toBe(400);
    expect(nobody.error?.message).toMatch(/no user nosuchuser/);

    const privileged = await running({ privileged: true });
    const refused = await exec({ name: privileged, argv: ["id", "-u"] });
    expect(refused.status).toBe(403);
    expect(refused.error?.message).toMatch(/privileged/);
    const admin = (await exec({ name: privileged, argv: ["id", "-u"] }, "admin")).data as TExec;
    expect(admin).toMatchObject({ exitCode: 0, stdout: "0\n" });

    await stopThroughApi(server, name);
    const stopped = await exec({ name, argv: ["true"] });
    expect(stopped.status).toBe(412);
    expect(stopped.error?.message).toMatch(/need it running/);
  });

  it("streams a command over the WebSocket: stdout and stderr apart, stdin up to its end, the exit code", async () => {
    const name = await running();
    const opened = await callProcedure(server, "console.openExec", {
      name,
      argv: ["sh", "-c", "cat; echo done >&2; exit 3"],
    });
    expect(opened.status, JSON.stringify(opened.error)).toBe(200);
    const client = (await connectConsole(
      server,
      (opened.data as { ticket: string }).ticket,
    )) as TConsoleClient;
    client.type("line one\n");
    client.send({ type: "eof" });
    const end = await client.waitForControl("end");
    expect(end).toMatchObject({ reason: "exited", exitCode: 3 });
    expect(client.stdout()).toBe("line one\n");
    expect(client.stderr()).toBe("done\n");
  });
});

describe("shells and consoles (console.open and the WebSocket)", () => {
  it("runs a login shell that answers, keeps it (screen, variables) when the page goes and comes back, and resizes", async () => {
    const name = await running();
    const first = await openTerminal(server, { name });
    expect(first.client.controls[0]).toMatchObject({ type: "hello", role: "writer", kind: "shell", name });
    first.client.type("echo $((6*7))\r");
    await first.client.waitFor(/\n42\r/);
    first.client.type("MARK=kept-$((40+2))\r");
    first.client.close();
    await first.client.closed;

    // Reopened without a session id: the caller's latest shell on this container, repainted.
    const again = await openTerminal(server, { name });
    expect(again.sessionId).toBe(first.sessionId);
    await again.client.waitFor(/42/);
    again.client.type("echo $MARK\r");
    await again.client.waitFor(/kept-42/);

    again.client.send({ type: "resize", cols: 123, rows: 37 });
    again.client.type("stty size\r");
    await again.client.waitFor(/37 123/);

    const listed = (await callProcedure(server, "console.sessions", { name }, { kind: "query" })).data as {
      id: string;
      user: string;
      writer: string | null;
    }[];
    expect(listed).toEqual([
      expect.objectContaining({ id: first.sessionId, user: "operator", writer: "operator" }),
    ]);

    // Another person joins: they watch (their keys are dropped), then take over.
    const watcher = await openTerminal(server, { name, session: first.sessionId }, "admin");
    expect(watcher.client.controls[0]).toMatchObject({ role: "watcher", writer: "operator" });
    await watcher.client.waitFor(/kept-42/);
    watcher.client.type("echo watcher-typed\r");
    again.client.type("echo writer-$((1+1))\r");
    await watcher.client.waitFor(/writer-2/);
    watcher.client.send({ type: "takeover" });
    await again.client.waitFor(/writer-2/);
    await again.client.waitForRole("watcher");
    watcher.client.type("echo admin-$((2+2))\r");
    await again.client.waitFor(/admin-4/);
    expect(again.client.text()).not.toContain("watcher-typed");
    expect((await auditOf("console.takeover")).some((entry) => entry.actor === "admin")).toBe(true);

    // Closed by someone: every viewer is told who.
    const closed = await callProcedure(server, "console.close", { name, sessionId: first.sessionId });
    expect(closed.status).toBe(200);
    expect(await again.client.waitForControl("end")).toMatchObject({ reason: "closed", by: "operator" });
    await watcher.client.closed;
  });

  it("ends a container's sessions when it stops, saying so", async () => {
    const name = await running();
    const { client } = await openTerminal(server, { name });
    client.type("echo ready\r");
    await client.waitFor(/ready/);
    await stopThroughApi(server, name);
    expect(await client.waitForControl("end", 30_000)).toMatchObject({ reason: "stopped" });
  });

  it("gives the container's own console (one per container, shared)", async () => {
    const name = await running();
    const first = await openTerminal(server, { name, kind: "console" });
    const second = await openTerminal(server, { name, kind: "console" }, "admin");
    expect(second.sessionId).toBe(first.sessionId);
    // Busybox's init runs a shell on the console: Enter brings its prompt.
    first.client.type("\r");
    first.client.type("echo console-$((3*3))\r");
    await first.client.waitFor(/console-9/);
    await second.client.waitFor(/console-9/);
  });
});

describe("who may open a terminal", () => {
  it("refuses an upgrade without credentials, a viewer, a reused ticket, another sign-in's or container's ticket, and a foreign origin", async () => {
    const name = await running();
    const other = await running();
    expect(
      (
        await callProcedure(
          server,
          "console.open",
          { name, kind: "shell", cols: 80, rows: 24 },
          { as: "viewer" },
        )
      ).status,
    ).toBe(403);
    const ticketFor = async (container = name) =>
      (
        (await callProcedure(server, "console.open", { name: container, kind: "shell", cols: 80, rows: 24 }))
          .data as {
          ticket: string;
        }
      ).ticket;

    const anonymous = await connectConsole(server, await ticketFor(), { as: null });
    expect(isRefusal(anonymous) && anonymous.status).toBe(401);
    const viewer = await connectConsole(server, await ticketFor(), { as: "viewer" });
    expect(isRefusal(viewer) && viewer.status).toBe(403);
    // An operator's ticket presented by the admin's token: bound to the sign-in that asked for it.
    const stolen = await connectConsole(server, await ticketFor(), { as: "admin" });
    expect(isRefusal(stolen) && stolen.status).toBe(403);
    // A ticket for one container, named for another.
    const elsewhere = await connectConsole(server, await ticketFor(other), { name });
    expect(isRefusal(elsewhere) && elsewhere.status).toBe(403);
    const foreign = await connectConsole(server, await ticketFor(), {
      headers: { origin: "https://evil.example" },
    });
    expect(isRefusal(foreign) && foreign.status).toBe(403);

    const ticket = await ticketFor();
    const used = await connectConsole(server, ticket);
    expect(isRefusal(used)).toBe(false);
    const reused = await connectConsole(server, ticket);
    expect(isRefusal(reused) && reused.status).toBe(403);
    const forged = await connectConsole(server, "A".repeat(43));
    expect(isRefusal(forged) && forged.status).toBe(403);
  });

  it("keeps a privileged container's shell for admins (the running init's map, not the config, decides)", async () => {
    const name = await running({ privileged: true });
    const refused = await callProcedure(server, "console.open", { name, kind: "shell", cols: 80, rows: 24 });
    expect(refused.status).toBe(403);
    expect(refused.error?.message).toMatch(/privileged/);
    const { client } = await openTerminal(server, { name }, "admin");
    client.type("id -u\r");
    await client.waitFor(/\n0\r/);

    // An operator gives the running privileged container an isolated map in its config (theirs to write, for its
    // next start): it still runs as host root, and its shell stays the admins'.
    const before = await configOf(server, name);
    const last = 1000000 + 999 * 65536;
    const saved = await callProcedure(server, "config.save", {
      name,
      raw: `${before.raw}lxc.idmap = u 0 ${last} 65536\nlxc.idmap = g 0 ${last} 65536\n`,
      baseVersion: before.version,
    });
    expect(saved.status, JSON.stringify(saved.error)).toBe(200);
    expect(
      (await callProcedure(server, "console.open", { name, kind: "shell", cols: 80, rows: 24 })).status,
    ).toBe(403);
    expect((await exec({ name, argv: ["id", "-u"] })).status).toBe(403);
  });
});

describe("what a terminal's user may keep, and how much they may hold", () => {
  it("closes an open shell of a user who is demoted, and keeps a privileged container's sessions and settings from operators", async () => {
    const name = await running();
    const made = await callProcedure(
      server,
      "users.create",
      { username: "op-demoted", role: "operator", password: "a-long-enough-password" },
      { as: "admin" },
    );
    expect(made.status, JSON.stringify(made.error)).toBe(200);
    const { cookie, origin } = await signInAs(server, "op-demoted", "a-long-enough-password");
    const browser = { cookie, origin };
    const opened = await callProcedure(
      server,
      "console.open",
      { name, kind: "shell", cols: 80, rows: 24 },
      { as: null, headers: browser },
    );
    expect(opened.status, JSON.stringify(opened.error)).toBe(200);
    const client = (await connectConsole(server, (opened.data as { ticket: string }).ticket, {
      as: null,
      headers: browser,
    })) as TConsoleClient;
    await client.waitForControl("hello");
    await callProcedure(
      server,
      "users.setRole",
      { id: (made.data as { id: number }).id, role: "viewer" },
      { as: "admin" },
    );
    expect(await client.waitForControl("end", 20_000)).toMatchObject({ reason: "signedOut" });
    await client.closed;

    const privileged = await running({ privileged: true });
    const admins = await openTerminal(server, { name: privileged }, "admin");
    const listed = await callProcedure(server, "console.sessions", { name: privileged }, { kind: "query" });
    expect(listed.data).toEqual([]);
    const closed = await callProcedure(server, "console.close", {
      name: privileged,
      sessionId: admins.sessionId,
    });
    expect(closed.status).toBe(403);
    const settings = await callProcedure(server, "console.setSettings", {
      name: privileged,
      user: "root",
      shell: "/bin/yes",
    });
    expect(settings.status).toBe(403);
    // Even set by an admin, a privileged container's shell is root's own login shell.
    expect(
      (
        await callProcedure(
          server,
          "console.setSettings",
          { name: privileged, user: "root", shell: "/bin/yes" },
          { as: "admin" },
        )
      ).status,
    ).toBe(200);
    const fresh = await openTerminal(server, { name: privileged, session: "new" }, "admin");
    fresh.client.type("echo shell-$((5+5))\r");
    await fresh.client.waitFor(/shell-10/);
  });

  it("runs at most 8 commands of a user at once, stops a command whose caller went away, and keeps arguments out of the audit", async () => {
    const name = await running();
    const controllers = Array.from({ length: 8 }, () => new AbortController());
    const running8 = controllers.map((controller) =>
      fetch(`${server.url}/api/trpc/containers.exec`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.tokens.operator}` },
        body: JSON.stringify({ json: { name, argv: ["sleep", "300"], timeoutSeconds: 300 } }),
        signal: controller.signal,
      }).catch(() => null),
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const ninth = await exec({ name, argv: ["true"] });
    expect(ninth.status).toBe(429);
    // Their callers go: the commands are stopped, and their places freed.
    for (const controller of controllers) controller.abort();
    await Promise.all(running8);
    const deadline = Date.now() + 20_000;
    let again = await exec({ name, argv: ["true"] });
    while (again.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      again = await exec({ name, argv: ["true"] });
    }
    expect(again.status).toBe(200);
    const sleeping = (await exec({ name, argv: ["sh", "-c", "ps | grep -c 'sleep 30[0]' || true"] }))
      .data as TExec;
    expect(sleeping.stdout.trim()).toBe("0");

    await exec({ name, argv: ["sh", "-c", "echo root:s3cret-pass | true"] });
    const inputs = (await auditOf("containers.exec")).map((entry) => entry.input ?? "").join("\n");
    expect(inputs).toContain("sh (+2 arguments)");
    expect(inputs).not.toContain("s3cret-pass");
  });
  it("keeps a privileged session from an admin whose ticket the helper does not know, counts parallel opens, and frees a command's place when its upgrade fails", async () => {
    const privileged = await running({ privileged: true });
    const admins = await openTerminal(server, { name: privileged }, "admin");
    // An admin token made without the helper's ticket (as an older one, or one made by a session past its 12 h).
    const db = createDb(server.databaseUrl);
    const admin = await createAccounts({ db }).userByName("admin");
    const { token } = await createAccounts({ db }).createApiToken(
      { userId: admin!.id, role: "admin" },
      { name: "no-ticket", role: "admin" },
    );
    await db.$disconnect();
    const bare = { ...server, tokens: { ...server.tokens, admin: token } };
    const listed = await callProcedure(
      bare,
      "console.sessions",
      { name: privileged },
      { kind: "query", as: "admin" },
    );
    expect(listed.data).toEqual([]);
    const join = await callProcedure(
      bare,
      "console.open",
      {
        name: privileged,
        kind: "shell",
        session: admins.sessionId,
        cols: 80,
        rows: 24,
      },
      { as: "admin" },
    );
    expect(join.status).toBe(403);
    expect(
      (await callProcedure(bare, "containers.exec", { name: privileged, argv: ["id"] }, { as: "admin" }))
        .status,
    ).toBe(403);

    // 25 opens at once by one operator on one container: 20 sessions at most (fewer, as earlier tests left the
    // operator some), the rest refused, none past the limit.
    const name = await running();
    const opens = await Promise.all(
      Array.from({ length: 25 }, () =>
        callProcedure(server, "console.open", { name, kind: "shell", session: "new", cols: 80, rows: 24 }),
      ),
    );
    const opened = opens.filter((open) => open.status === 200).length;
    expect(opened).toBeGreaterThan(10);
    expect(opened).toBeLessThanOrEqual(20);
    expect(opens.filter((open) => open.status === 429).length).toBe(25 - opened);
    const sessionsNow = (await callProcedure(server, "console.sessions", { name }, { kind: "query" }))
      .data as unknown[];
    expect(sessionsNow.length).toBe(opened);
    for (const open of opens.filter((each) => each.status === 200))
      await callProcedure(server, "console.close", {
        name,
        sessionId: (open.data as { sessionId: string }).sessionId,
      });

    // Nine upgrades that ws refuses (a bad key) after the command's place was taken: each place is given back.
    for (let attempt = 0; attempt < 9; attempt += 1) {
      const { ticket } = (await callProcedure(server, "console.openExec", { name, argv: ["true"] })).data as {
        ticket: string;
      };
      const status = await new Promise<number>((resolve, reject) => {
        const upgrade = request(`${server.url}/api/console?ticket=${ticket}`, {
          headers: {
            connection: "Upgrade",
            upgrade: "websocket",
            "sec-websocket-version": "13",
            "sec-websocket-key": "bad",
            authorization: `Bearer ${server.tokens.operator}`,
          },
        });
        upgrade.on("response", (response) => resolve(response.statusCode ?? 0));
        upgrade.on("upgrade", () => resolve(101));
        upgrade.on("error", reject);
        upgrade.end();
      });
      expect(status).toBe(400);
    }
    expect((await exec({ name, argv: ["true"] })).status).toBe(200);
  });
});

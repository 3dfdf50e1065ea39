import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { createDb } from "@/server/db";
import { lxcPath, lxcState, uniqueName } from "../lxc-oracle";
import { callProcedure, runServer } from "../server";
import { useServer } from "../use-server";

const server = useServer();
const created = server.made;

const CANARY = "/tmp/atelier-canary";
const BAD_NAMES: [string, unknown][] = [
  ["a semicolon", `x;touch ${CANARY}`],
  ["a space", "my container"],
  ["a path", "../../etc"],
  ["a newline", "a\nlxc.foo = 1"],
  ["300 characters", "x".repeat(300)],
  ["a leading dash", "-P/"],
  ["a shell substitution", `$(touch ${CANARY})`],
  ["not a string", 42],
];

describe("the API over HTTP", () => {
  it.each(BAD_NAMES)(
    "answers a name with %s with BAD_REQUEST naming the field, and runs nothing",
    async (_label, name) => {
      const before = await readdir(lxcPath());
      for (const procedure of [
        "containers.create",
        "containers.start",
        "containers.stop",
        "containers.destroy",
        "containers.freeze",
      ]) {
        const response = await callProcedure(server, procedure, { name, template: "busybox" });
        expect(response.status, procedure).toBe(400);
        expect(response.error?.data.code).toBe("BAD_REQUEST");
        expect(response.error?.data.field).toBe("name");
        expect(response.error?.message).toMatch(/^name: /);
      }
      const query = await callProcedure(server, "containers.get", { name }, { kind: "query" });
      expect(query.status).toBe(400);
      expect(query.error?.data.field).toBe("name");
      expect(await readdir(lxcPath())).toEqual(before);
      expect(existsSync(CANARY)).toBe(false);
    },
  );

  it("names other bad fields too, and rejects unknown ones", async () => {
    const name = uniqueName("fields");
    const stop = await callProcedure(server, "containers.stop", { name, timeoutSeconds: -5 });
    expect(stop).toMatchObject({ status: 400, error: { data: { field: "timeoutSeconds" } } });
    const template = await callProcedure(server, "containers.create", { name, template: "debian" });
    expect(template).toMatchObject({ status: 400, error: { data: { field: "template" } } });
    const extra = await callProcedure(server, "containers.create", {
      name,
      template: "busybox",
      config: "lxc.foo=1",
    });
    expect(extra.status).toBe(400);
    expect(await lxcState(name)).toBe("MISSING");
  });

  it("creates, runs and destroys a container, with results that agree with lxc-info", async () => {
    const name = uniqueName("api");
    created.push(name);
    expect(await callProcedure(server, "containers.create", { name, template: "busybox" })).toMatchObject({
      status: 200,
      data: { name },
    });
    expect(await lxcState(name)).toBe("STOPPED");

    expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);
    expect(await lxcState(name)).toBe("RUNNING");
    const listed = await callProcedure(server, "containers.list", undefined, { kind: "query" });
    expect(listed.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ name, state: "RUNNING" })]),
    );

    const again = await callProcedure(server, "containers.start", { name });
    expect(again.status).toBe(412);
    expect(again.error?.data).toMatchObject({ code: "PRECONDITION_FAILED", hint: "Nothing to do." });

    expect((await callProcedure(server, "containers.freeze", { name })).status).toBe(200);
    expect(await lxcState(name)).toBe("FROZEN");
    const detail = await callProcedure(server, "containers.get", { name }, { kind: "query" });
    expect(detail.data).toMatchObject({ name, state: "FROZEN", configPath: `${lxcPath()}/${name}/config` });

    const refused = await callProcedure(server, "containers.destroy", { name });
    expect(refused.status).toBe(412);
    expect(await lxcState(name)).toBe("FROZEN");

    expect((await callProcedure(server, "containers.destroy", { name, force: true })).status).toBe(200);
    expect(await lxcState(name)).toBe("MISSING");
    const gone = await callProcedure(server, "containers.get", { name }, { kind: "query" });
    expect(gone).toMatchObject({ status: 404, error: { data: { code: "NOT_FOUND" } } });
  });

  it("answers CONFLICT to a second operation on a container while the first runs", async () => {
    const name = uniqueName("race");
    created.push(name);
    await callProcedure(server, "containers.create", { name, template: "busybox" });
    await callProcedure(server, "containers.start", { name });
    const stopping = callProcedure(server, "containers.stop", { name, timeoutSeconds: 20 });
    // The barrier: the second operation is sent once the server itself reports the stop as the container's
    // operation (busybox's init then takes seconds to halt, so the stop still holds it).
    for (let attempt = 0; ; attempt += 1) {
      const detail = await callProcedure(server, "containers.get", { name }, { kind: "query" });
      if ((detail.data as { busy: string | null }).busy === "stop") break;
      if (attempt > 400) throw new Error("the stop never became the container's operation");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const second = await callProcedure(server, "containers.freeze", { name });
    expect(second.status).toBe(409);
    expect(second.error?.message).toMatch(/busy: a stop is in progress/);
    expect((await stopping).status).toBe(200);
    expect(await lxcState(name)).toBe("STOPPED");
  });

  it("rejects state-changing requests from other origins before anything runs", async () => {
    const name = uniqueName("csrf");
    const response = await fetch(`${server.url}/api/trpc/containers.create`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: "https://evil.example",
        authorization: `Bearer ${server.tokens.admin}`,
      },
      body: JSON.stringify({ json: { name, template: "busybox" } }),
    });
    expect(response.status).toBe(403);
    expect(await lxcState(name)).toBe("MISSING");
    // fetch() drops a Host header it is given, so this request is made with node:http.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const url = new URL(`${server.url}/api/trpc/containers.list`);
      request(url, { headers: { host: `evil.example:${url.port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(421);
  });

  it("writes every mutation, failed or not, to the audit log", async () => {
    const name = uniqueName("audit");
    created.push(name);
    await callProcedure(server, "containers.create", { name, template: "busybox" });
    await callProcedure(server, "containers.stop", { name });
    await callProcedure(server, "containers.create", { name: "bad name", template: "busybox" });
    const db = createDb(server.databaseUrl);
    try {
      const entries = await db.auditEntry.findMany({ orderBy: { id: "asc" } });
      expect(
        entries.find((entry) => entry.target === name && entry.action === "containers.create"),
      ).toMatchObject({
        actor: "operator",
        via: "token",
        result: "ok",
        clientAddress: expect.stringMatching(/127\.0\.0\.1/) as unknown,
      });
      expect(
        entries.find((entry) => entry.target === name && entry.action === "containers.stop"),
      ).toMatchObject({
        result: "error",
        error: expect.stringMatching(/^PRECONDITION_FAILED/) as unknown,
      });
      expect(entries.find((entry) => entry.target === "bad name")).toMatchObject({
        result: "error",
        error: expect.stringMatching(/^BAD_REQUEST: name:/) as unknown,
      });
      // Each error keeps its sentence (id and values; the field for invalid input), which the audit page words in
      // the reader's language.
      const wordsOf = (entry: { errorWords: string | null } | undefined) =>
        JSON.parse(entry?.errorWords ?? "null") as { id: string; field?: string } | null;
      expect(
        wordsOf(entries.find((entry) => entry.target === name && entry.action === "containers.stop"))?.id,
      ).toMatch(/^errors\.\w+\.message$/);
      expect(wordsOf(entries.find((entry) => entry.target === "bad name"))).toMatchObject({
        id: expect.stringMatching(/^validation\./) as unknown,
        field: "name",
      });
      // Reads are not mutations and are not audited.
      expect(entries.some((entry) => entry.action.startsWith("containers.list"))).toBe(false);
    } finally {
      await db.$disconnect();
    }
  });
});

describe("settings", () => {
  it.each([
    ["PORT", { PORT: "abc" }, /PORT: must be a number/],
    ["PORT", { PORT: "70000" }, /PORT: must be between 1 and 65535/],
    ["HOST", { HOST: "not an address" }, /HOST: must be an IP address/],
    [
      "ATELIER_LXC_PATH",
      { ATELIER_LXC_PATH: "/nonexistent/lxc" },
      /ATELIER_LXC_PATH: \/nonexistent\/lxc is not a directory/,
    ],
    ["DATABASE_URL", { DATABASE_URL: "mysql://x" }, /DATABASE_URL: must be a SQLite URL/],
    [
      "ATELIER_CONTAINER_CONFIG",
      { ATELIER_CONTAINER_CONFIG: "/nonexistent.conf" },
      /ATELIER_CONTAINER_CONFIG: .* is not a file/,
    ],
  ])("stops start-up on a bad %s with a message that names it", async (_setting, env, message) => {
    const result = await runServer(env);
    expect(result.exitCode).toBe(1);
    expect(result.all).toMatch(message);
  });
});

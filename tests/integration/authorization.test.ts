import { readdir } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "@/server/trpc/routers/_app";
import { HTTP_ROUTES } from "@/server/http/routes";
import { lxcPath, uniqueName } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * Generated from the router itself, for every tier: each procedure carries the tier it was built from (tRPC meta,
 * server/trpc/procedures.ts), so a procedure cannot be added unprotected or with the wrong tier without this walk
 * seeing it. Without credentials every non-public procedure is 401; as a viewer every operator and admin procedure
 * is 403; as an operator every admin procedure is 403; as a viewer every viewer query answers (no 403, no 500).
 * The HTTP routes besides tRPC are walked from the one table the server dispatches through.
 */
type TTier = "public" | "viewer" | "operator" | "admin";
type TProcedure = { _def: { type: "query" | "mutation" | "subscription"; meta?: { tier?: TTier } } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, TProcedure>).map(
  ([path, procedure]) => ({
    path,
    kind: procedure._def.type === "query" ? ("query" as const) : ("mutation" as const),
    tier: procedure._def.meta?.tier,
  }),
);

/**
 * The tier of every procedure, written down here and reviewed like code: the walk fails when the router's tiers
 * differ from it (a procedure demoted, say, from admin to operator) or when a procedure is not listed. Public: what
 * signing in and first-run setup need. Viewer mutations: only on one's own account.
 */
const EXPECTED_TIERS: Record<string, TTier> = {
  "auth.status": "public",
  "auth.signIn": "public",
  "auth.signOut": "viewer",
  "auth.setup": "public",
  "account.changePassword": "viewer",
  "account.sessions": "viewer",
  "account.revokeSession": "viewer",
  "account.setLocale": "viewer",
  "tokens.list": "viewer",
  "tokens.create": "viewer",
  "tokens.revoke": "viewer",
  "users.list": "admin",
  "users.create": "admin",
  "users.setRole": "admin",
  "users.setDisabled": "admin",
  "users.resetPassword": "admin",
  "audit.list": "operator",
  "containers.list": "viewer",
  "containers.get": "viewer",
  "containers.create": "operator",
  "containers.start": "operator",
  "containers.stop": "operator",
  "containers.restart": "operator",
  "containers.freeze": "operator",
  "containers.unfreeze": "operator",
  "containers.destroy": "operator",
  "containers.isolation": "viewer",
  "containers.convert": "operator",
  "containers.hostIsolation": "operator",
  "containers.binds": "viewer",
  "containers.chownBindSource": "operator",
  "containers.exec": "operator",
  "console.open": "operator",
  "console.openExec": "operator",
  "console.sessions": "operator",
  "console.close": "operator",
  "console.settings": "operator",
  "console.setSettings": "operator",
  "containers.passThroughId": "admin",
  "config.get": "viewer",
  "config.validate": "operator",
  "config.save": "operator",
  "config.history": "viewer",
  "config.version": "viewer",
  "config.restore": "operator",
  "config.browseHost": "operator",
  "config.importAsNew": "operator",
  "events.list": "viewer",
  "metrics.current": "viewer",
  "metrics.history": "viewer",
  "metrics.hostHistory": "viewer",
  "network.list": "viewer",
  "network.readiness": "viewer",
  "network.plan": "admin",
  "network.applyPlan": "admin",
  "network.confirm": "admin",
  "network.rollback": "admin",
  "network.applies": "viewer",
  "network.change": "viewer",
  "network.persisted": "viewer",
  "network.nat.get": "viewer",
  "network.nat.configure": "admin",
  "network.nat.start": "admin",
  "network.nat.stop": "admin",
  "network.nics": "viewer",
  "network.attach": "operator",
  "network.detach": "operator",
  "jobs.list": "viewer",
  "jobs.get": "viewer",
  "jobs.cancel": "operator",
  "snapshots.list": "viewer",
  "snapshots.create": "operator",
  "snapshots.restore": "operator",
  "snapshots.delete": "operator",
  "services.list": "viewer",
  "services.start": "operator",
  "services.stop": "operator",
  "services.restart": "operator",
  "services.enable": "operator",
  "services.disable": "operator",
  "autostart.board": "viewer",
  "autostart.set": "operator",
  "autostart.reorder": "operator",
  "autostart.setDependency": "operator",
  "autostart.run": "operator",
  "types.list": "viewer",
  "types.save": "operator",
  "types.delete": "operator",
  "types.createFrom": "operator",
  "provision.preview": "operator",
  "provision.cache": "viewer",
  "provision.clearCache": "admin",
  "packages.list": "viewer",
  "packages.search": "viewer",
  "packages.install": "operator",
  "packages.remove": "operator",
  "packages.upgrade": "operator",
  "host.readiness": "viewer",
  "host.fix": "admin",
  "files.list": "viewer",
  "files.stat": "viewer",
  "files.read": "viewer",
  "files.accounts": "viewer",
  "files.shortcuts": "viewer",
  "files.write": "operator",
  "files.mkdir": "operator",
  "files.rename": "operator",
  "files.delete": "operator",
  "files.chmod": "operator",
  "files.chown": "operator",
  "files.symlink": "operator",
};

/** The procedures of these tiers, by the written-down list (not by what the code says of itself). */
const ofTier = (...tiers: TTier[]) =>
  procedures.filter(({ path }) => {
    const tier = EXPECTED_TIERS[path];
    return tier !== undefined && tiers.includes(tier);
  });

const server = useServer();
let container: string;
beforeAll(async () => {
  container = uniqueName("authz");
  server.made.push(container);
  const created = await callProcedure(server, "containers.create", { name: container, template: "busybox" });
  expect(created.status, JSON.stringify(created.error)).toBe(200);
});

describe("authorization, walked over every procedure of the router", () => {
  it("knows every procedure and its tier (no lazy router; each as the written-down list says)", () => {
    expect(Object.keys((appRouter._def as { lazy?: object }).lazy ?? {})).toEqual([]);
    expect(procedures.length).toBeGreaterThan(50);
    expect(
      Object.fromEntries(procedures.map(({ path, tier }) => [path, tier ?? "(built outside the tiers)"])),
    ).toEqual(EXPECTED_TIERS);
    const viewerMutations = ofTier("viewer")
      .filter(({ kind }) => kind === "mutation")
      .map(({ path }) => path);
    expect(
      viewerMutations.every((path) => /^(auth\.signOut|account\.|tokens\.)/.test(path)),
      viewerMutations.join(),
    ).toBe(true);
    // Each tier is really walked below: none is empty.
    for (const tier of ["viewer", "operator", "admin"] as const)
      expect(ofTier(tier).length, tier).toBeGreaterThan(3);
  });

  it("answers UNAUTHORIZED to every non-public procedure without credentials, and runs nothing", async () => {
    const before = await readdir(lxcPath());
    for (const { path, kind } of ofTier("viewer", "operator", "admin")) {
      const response = await callProcedure(server, path, { name: "x" }, { kind, as: null });
      expect(response.status, path).toBe(401);
      expect(response.error?.data.code, path).toBe("UNAUTHORIZED");
    }
    expect(await readdir(lxcPath())).toEqual(before);
  });

  it("answers FORBIDDEN to every operator and admin procedure a viewer calls", async () => {
    for (const { path, kind } of ofTier("operator", "admin")) {
      const response = await callProcedure(server, path, { name: container }, { kind, as: "viewer" });
      expect(response.status, path).toBe(403);
      expect(response.error?.data.code, path).toBe("FORBIDDEN");
    }
  });

  it("answers FORBIDDEN to every admin procedure an operator calls", async () => {
    for (const { path, kind } of ofTier("admin")) {
      const response = await callProcedure(
        server,
        path,
        { id: 1, name: container },
        { kind, as: "operator" },
      );
      expect(response.status, path).toBe(403);
    }
  });

  it("answers every viewer query for a viewer (past its input schema: a 200 or a 404, never 403 or 500)", async () => {
    const jobs = (await callProcedure(server, "jobs.list", undefined, { kind: "query", as: "viewer" }))
      .data as {
      id: string;
    }[];
    const candidates = [
      undefined,
      {},
      { name: container },
      // A container that does not exist: a 404 for queries that refuse a stopped one (services.list: 412).
      { name: `${container}-absent` },
      { container },
      { name: container, range: "1h" },
      { name: container, id: 1 },
      { id: jobs[0]?.id ?? "none" },
      { applyId: "00000000-0000-4000-8000-000000000000" },
      // packages.search: a container that does not exist (the fixture is stopped: a search there is 412).
      { name: "no-such-container", query: "bash" },
      // The files router: a directory and a file every container's others may read.
      { name: container, path: "/" },
      { name: container, path: "/etc/passwd" },
    ];
    for (const { path } of ofTier("viewer").filter(({ kind }) => kind === "query")) {
      const statuses: number[] = [];
      for (const input of candidates) {
        const { status } = await callProcedure(server, path, input, { kind: "query", as: "viewer" });
        statuses.push(status);
      }
      expect(
        statuses.filter((status) => status === 403 || status >= 500),
        path,
      ).toEqual([]);
      expect(
        statuses.some((status) => status === 200 || status === 404),
        `${path}: ${statuses.join(" ")}`,
      ).toBe(true);
    }
  });

  it("refuses the HTTP routes besides tRPC to callers without the access the table gives them", async () => {
    const call = (route: string, headers: Record<string, string>) => {
      const [method = "GET", template = "/"] = route.split(" ");
      // A route with a container's name in its path: the walk's own container (refused before it is looked at).
      const pathname = template.replace(":name", container);
      return fetch(`${server.url}${pathname}`, {
        method,
        headers,
        signal: AbortSignal.timeout(10_000),
        ...(method === "POST" ? { body: "x" } : {}),
      }).then(async (response) => {
        await response.body?.cancel();
        return response.status;
      });
    };
    for (const [route, { access }] of Object.entries(HTTP_ROUTES) as [string, { access: TTier }][]) {
      if (access === "public") {
        expect(await call(route, {}), route).toBe(200);
        continue;
      }
      expect(await call(route, {}), route).toBe(401);
      if (access === "operator" || access === "admin")
        expect(await call(route, { authorization: `Bearer ${server.tokens.viewer}` }), route).toBe(403);
    }
    // Nothing answers outside the table.
    expect(await call("GET /api/uploads/rootfs", {})).toBe(404);
    expect(await call("POST /api/anything", {})).toBe(404);
  });

  it("answers UNAUTHORIZED to a wrong, revoked-looking or malformed token", async () => {
    for (const authorization of [
      "Bearer atl_t_nope",
      "Bearer ",
      "Basic YWRtaW46YWRtaW4=",
      `Bearer ${server.tokens.admin}x`,
    ]) {
      const response = await callProcedure(server, "containers.list", undefined, {
        kind: "query",
        as: null,
        headers: { authorization },
      });
      expect(response.status, authorization).toBe(401);
    }
  });

  it("lets viewers read containers but not the audit log or the users", async () => {
    expect(
      (await callProcedure(server, "containers.list", undefined, { kind: "query", as: "viewer" })).status,
    ).toBe(200);
    expect((await callProcedure(server, "audit.list", {}, { kind: "query", as: "viewer" })).status).toBe(403);
    expect(
      (await callProcedure(server, "users.list", undefined, { kind: "query", as: "viewer" })).status,
    ).toBe(403);
    expect(
      (await callProcedure(server, "tokens.list", { isAllUsers: true }, { kind: "query", as: "viewer" }))
        .status,
    ).toBe(403);
  });
  // Injection canaries through every field of every procedure: tests/security/canaries.test.ts.
});

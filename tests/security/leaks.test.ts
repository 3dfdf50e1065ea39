import { existsSync } from "node:fs";
import { appendFile, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lxcPath } from "../lxc-oracle";
import { callProcedure, PASSWORD, startServer } from "../server";
import { useServer } from "../use-server";
import { configOf, createBusybox } from "./helpers";

/**
 * What a viewer reads does not leak secrets, and nothing secret travels where it is kept: the container's
 * environment values are redacted for viewers, API answers are never cached, the wizard's preview (a GET) refuses
 * a root password, and the setup token sits in a file only root and the web user read, gone once used.
 */
const server = useServer();

describe("secrets", () => {
  it("lxc.environment values are redacted for viewers, in the config and its versions", async () => {
    const name = await createBusybox(server);
    await appendFile(path.join(lxcPath(), name, "config"), "lxc.environment = DB_PASSWORD=hunter2-secret\n");
    const asViewer = await configOf(server, name, "viewer");
    expect(asViewer.raw).toContain("lxc.environment = DB_PASSWORD=[redacted]");
    expect(JSON.stringify(asViewer)).not.toContain("hunter2");
    const asOperator = await configOf(server, name, "operator");
    expect(asOperator.raw).toContain("DB_PASSWORD=hunter2-secret");
    // A saved version (the file as first found is kept too): redacted for viewers as well.
    const saved = await callProcedure(server, "config.save", {
      name,
      raw: `${asOperator.raw}lxc.start.auto = 0\n`,
      baseVersion: asOperator.version,
    });
    expect(saved.status).toBe(200);
    const history = (await callProcedure(server, "config.history", { name }, { kind: "query", as: "viewer" }))
      .data as { id: number }[];
    for (const { id } of history) {
      const version = await callProcedure(
        server,
        "config.version",
        { name, id },
        { kind: "query", as: "viewer" },
      );
      expect(JSON.stringify(version.data)).not.toContain("hunter2");
    }
  });

  it("API answers are never stored by a browser or proxy", async () => {
    const response = await fetch(`${server.url}/api/trpc/containers.list`, {
      headers: { authorization: `Bearer ${server.tokens.viewer}` },
    });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("a config under review never travels in a URL: config.validate only as POST (405 for a GET)", async () => {
    const name = await createBusybox(server);
    const input = encodeURIComponent(JSON.stringify({ json: { name, raw: "lxc.environment = K=secret\n" } }));
    const get = await fetch(`${server.url}/api/trpc/config.validate?input=${input}`, {
      headers: { authorization: `Bearer ${server.tokens.operator}` },
    });
    expect(get.status).toBe(405);
    const post = await callProcedure(
      server,
      "config.validate",
      { name, raw: "lxc.uts.name = a\n" },
      { kind: "query" },
    );
    expect(post.status).toBe(200);
  });

  it("the wizard's preview, a query in a URL, takes no root password", async () => {
    const preview = await callProcedure(
      server,
      "provision.preview",
      { rootfs: { kind: "busybox" }, access: { rootPassword: "a-secret-password" } },
      { kind: "query" },
    );
    expect(preview.status).toBe(400);
    const fine = await callProcedure(
      server,
      "provision.preview",
      { rootfs: { kind: "busybox" } },
      { kind: "query" },
    );
    expect(fine.status).toBe(200);
  });

  it("the setup token is also in a file only root and the web user read, removed once the first admin exists", async () => {
    const fresh = await startServer({}, { withUsers: false });
    try {
      // In the web tier's own directory, which no other user may even enter.
      const file = path.join(fresh.dataDir, "web", "setup-token");
      expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
      const token = (await readFile(file, "utf8")).trim();
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(fresh.output()).toContain(`#token=${token}`);
      const setup = await callProcedure(
        fresh,
        "auth.setup",
        { token, username: "first", password: PASSWORD },
        { as: null },
      );
      expect(setup.status).toBe(200);
      expect(existsSync(file)).toBe(false);
    } finally {
      await fresh.stop();
    }
  });
});

import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TRunningServer } from "../server";

/**
 * The web tier loads nothing of the root side, as it runs: Atelier is started as `npm start` starts it, with
 * tests/module-recorder.mjs in every Node process the launcher starts (NODE_OPTIONS, which the launcher passes on to
 * the web tier), the API, the event stream and some pages are asked for, and the list of modules the web tier
 * process loaded is read back. dependency-cruiser checks the imports as written (`npm run lint`); this checks what
 * really ran, dynamic imports and Next's server bundles included. The built bundles (.next/) are read too: a page
 * or route that imported root-side code would carry it inside a chunk, as a module id naming its source.
 */
const root = path.resolve(import.meta.dirname, "../..");

/** The root side, as .dependency-cruiser.mjs names it (ROOT_SIDE, ROOT_ENTRIES and the modules that spawn). */
const ROOT_SIDE =
  /^(server\/helper\/(?!contract\/)|server\/lxc\/|server\/rootfs\/|server\/launcher\/|server\/cli\/|node_modules\/(execa|node-pty)\/)/;

let server: TRunningServer;
let logDir: string;

const loadedBy = async (entry: string) => {
  const files = (await readdir(logDir)).filter((name) => name.startsWith(`${entry.replaceAll("/", "_")}-`));
  const lines = await Promise.all(files.map((name) => readFile(path.join(logDir, name), "utf8")));
  return [...new Set(lines.join("").split("\n").filter(Boolean))].map((file) => path.relative(root, file));
};

beforeAll(async () => {
  logDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "modules-"));
  // The web tier (user atelier) writes its list here too.
  await chmod(logDir, 0o1777);
  server = await startServer({
    NODE_OPTIONS: `--import=${pathToFileURL(path.join(root, "tests/module-recorder.mjs")).href}`,
    ATELIER_MODULE_LOG: logDir,
  });
});
afterAll(async () => {
  await server?.stop();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

describe("the web tier's modules", () => {
  it("loads none from the root side while it serves the API, the event stream and the pages", async () => {
    const headers = { authorization: `Bearer ${server.tokens.admin}` };
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const list = await fetch(`${server.url}/api/trpc/containers.list`, { headers });
    expect(list.status).toBe(200);
    // The event stream: its first bytes, then closed.
    const events = new AbortController();
    const stream = await fetch(`${server.url}/api/events`, { headers, signal: events.signal });
    expect(stream.status).toBe(200);
    events.abort();
    // Pages load Next's server bundles on first use.
    for (const page of ["/", "/containers", "/network", "/users", "/login"])
      expect((await fetch(`${server.url}${page}`, { headers, redirect: "manual" })).status).toBeLessThan(400);
    // Stopped, so that the web tier writes down what it loaded last (at exit).
    await server.stop();

    const web = await loadedBy("server/main.ts");
    // The recorder saw the web tier's own code, the API's, and a server bundle of Next's.
    expect(web).toContain("server/main.ts");
    expect(web).toContain("server/trpc/routers/_app.ts");
    expect(web).toContain("server/helper-client/index.ts");
    expect(web.some((file) => file.startsWith(".next/server/"))).toBe(true);
    expect(web.filter((file) => ROOT_SIDE.test(file))).toEqual([]);
    // And it tells the root side when it sees it: the launcher, which runs as root, loads it.
    const launcher = await loadedBy("server/launcher/main.ts");
    expect(launcher.filter((file) => ROOT_SIDE.test(file))).toEqual(
      expect.arrayContaining(["server/launcher/main.ts", "server/helper/spawn.ts"]),
    );
  });

  it("has built no root-side module into Next's server or browser bundles", async () => {
    // Turbopack names each module it bundles by its source, "[project]/server/…"; a trace file (.nft.json) lists the
    // files a server bundle needs beside it.
    const named: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(file);
        else if (/\.(js|map|json)$/.test(entry.name)) {
          const text = await readFile(file, "utf8");
          for (const match of text.matchAll(/\[project\]\/([\w@./-]+)/g)) named.push(match[1] ?? "");
          if (entry.name.endsWith(".nft.json"))
            for (const traced of (JSON.parse(text) as { files?: string[] }).files ?? [])
              named.push(path.relative(root, path.resolve(dir, traced)));
        }
      }
    };
    await walk(path.join(root, ".next/server"));
    await walk(path.join(root, ".next/static"));
    // The bundles do name the project's modules (the check reads them): the pages' components, at least.
    expect(named.some((file) => file.startsWith("components/"))).toBe(true);
    expect([...new Set(named.filter((file) => ROOT_SIDE.test(file)))]).toEqual([]);
  });
});

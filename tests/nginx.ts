import { readFileSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { freePort } from "./server";

/**
 * Debian's nginx as a reverse proxy in front of a test's Atelier, run with exactly the lines docs/usage.md gives
 * operators (its "Behind a reverse proxy" section; docs/console.md shows the same, checked by
 * tests/unit/reverse-proxy-docs.test.ts). Only the upstream of `proxy_pass` is the test server's instead of the
 * example's.
 *
 * It runs as a child process in the test's own network namespace (the test runs inside it), listening on
 * 127.0.0.1, with its configuration, pid file, logs and temporary files in a directory of its own under TMPDIR: never
 * /etc/nginx, /var/log/nginx, /var/lib/nginx or /run. `stop()` ends it and removes that directory; a start that
 * fails does both before throwing.
 */
const root = path.resolve(import.meta.dirname, "..");

/** The example upstream of the documented lines, replaced by the test server's. */
export const DOCUMENTED_UPSTREAM = "https://127.0.0.1:8443";

/**
 * The fenced blocks of one language ("" for none) in a Markdown section: from its heading to the next heading of its
 * level or above, outside code blocks (an nginx comment is not a heading).
 */
export const fencedBlocks = (markdown: string, heading: string, language: string) => {
  const blocks: string[] = [];
  let level = 0;
  let fence: { language: string; lines: string[] } | null = null;
  for (const line of markdown.split("\n")) {
    if (fence) {
      if (line === "```") {
        if (level > 0 && fence.language === language) blocks.push(fence.lines.join("\n") + "\n");
        fence = null;
      } else fence.lines.push(line);
      continue;
    }
    const opening = /^```(\S*)$/.exec(line);
    if (opening) {
      fence = { language: opening[1] ?? "", lines: [] };
      continue;
    }
    const title = /^(#+) (.*)$/.exec(line);
    if (!title) continue;
    const depth = title[1]?.length ?? 0;
    if (title[2] === heading) level = depth;
    else if (level > 0 && depth <= level) break;
  }
  if (level === 0) throw new Error(`no section "${heading}"`);
  return blocks;
};

/** The documented nginx lines: the `location` block for the server block, the `map` for the http block. */
export const documentedNginx = () => {
  const blocks = fencedBlocks(
    readFileSync(path.join(root, "docs/usage.md"), "utf8"),
    "Behind a reverse proxy",
    "nginx",
  );
  if (blocks.length !== 1) throw new Error(`docs/usage.md: ${blocks.length} nginx blocks, expected one`);
  const [text = ""] = blocks;
  const marker = text.indexOf("# in the http block:");
  if (marker < 0) throw new Error("docs/usage.md: the nginx block has no '# in the http block:' part");
  return { server: text.slice(0, marker), http: text.slice(marker) };
};

export type TNginx = {
  /** http://127.0.0.1:PORT, where the proxy listens. */
  url: string;
  port: number;
  /** The error log so far (for a failing test's message). */
  errors: () => Promise<string>;
  stop: () => Promise<void>;
};

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Starts nginx proxying to `upstream` (the Atelier server's URL, http or https) with the documented lines. */
export const startNginx = async (upstream: string): Promise<TNginx> => {
  const { server, http } = documentedNginx();
  if (!server.includes(`proxy_pass ${DOCUMENTED_UPSTREAM};`))
    throw new Error(`docs/usage.md: the nginx lines no longer proxy to ${DOCUMENTED_UPSTREAM}`);
  const port = await freePort();
  const dir = await mkdtemp(path.join(process.env.TMPDIR ?? "/tmp", "nginx-"));
  // nginx's workers run as nobody: they traverse to their temporary directories, which nginx makes their own.
  await chmod(dir, 0o711);
  let child: ResultPromise | undefined;
  let output = "";
  const errors = () => readFile(path.join(dir, "error.log"), "utf8").catch(() => "");
  const stop = async () => {
    if (child && child.exitCode === null) {
      // TERM is nginx's fast shutdown: the master stops its workers, open WebSockets included, and exits.
      child.kill("SIGTERM");
      const timer = setTimeout(() => child?.kill("SIGKILL"), 10_000);
      await child;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const config = [
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log info;`,
      "worker_processes 1;",
      "events { worker_connections 256; }",
      "http {",
      `  access_log ${dir}/access.log;`,
      `  client_body_temp_path ${dir}/body;`,
      `  proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi;`,
      `  uwsgi_temp_path ${dir}/uwsgi;`,
      `  scgi_temp_path ${dir}/scgi;`,
      http,
      "  server {",
      `    listen 127.0.0.1:${port};`,
      // The documented lines as they are, only the upstream is this test's server. nginx does not check an HTTPS
      // upstream's certificate unless told to (proxy_ssl_verify is off by default), so the test server's
      // self-signed one needs no line of its own, as the documented setup needs none for Atelier's own.
      server.replace(`proxy_pass ${DOCUMENTED_UPSTREAM};`, `proxy_pass ${upstream};`),
      "  }",
      "}",
      "",
    ].join("\n");
    await writeFile(path.join(dir, "nginx.conf"), config);
    child = execa(
      "nginx",
      ["-p", `${dir}/`, "-e", `${dir}/error.log`, "-c", `${dir}/nginx.conf`, "-g", "daemon off;"],
      { reject: false, stdin: "ignore", all: true },
    );
    child.all?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`nginx did not start:\n${output}\n${await errors()}\n--- config:\n${config}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, port, errors, stop };
};

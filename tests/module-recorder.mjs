/**
 * Records every module a Node process loads, for tests/integration/web-modules.test.ts: loaded with
 * `--import` (through NODE_OPTIONS, which the launcher passes on to the web tier), it appends each module's path to
 * `$ATELIER_MODULE_LOG/<entry>-<pid>.txt`, where <entry> is the process's main script relative to the project
 * (server/main.ts → server_main.ts). ES modules are seen by a resolve hook (module.register: the hook runs on the
 * loader thread and posts each resolved file back); CommonJS ones (Next's server bundles, node_modules) from
 * require's cache, read every 200 ms and at exit. Plain JavaScript, so it runs before tsx is loaded.
 */
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import path from "node:path";
import process from "node:process";
import { setInterval } from "node:timers";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";

const dir = process.env.ATELIER_MODULE_LOG;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

if (dir && process.argv[1]) {
  const entry = path.relative(root, path.resolve(process.argv[1])).replaceAll("/", "_");
  const file = path.join(dir, `${entry}-${process.pid}.txt`);
  const seen = new Set();
  const record = (url) => {
    const filePath = url.startsWith("file:") ? fileURLToPath(url) : url;
    if (seen.has(filePath) || !path.isAbsolute(filePath)) return;
    seen.add(filePath);
    appendFileSync(file, `${filePath}\n`);
  };
  const { port1, port2 } = new MessageChannel();
  port1.on("message", record);
  port1.unref();
  register("./module-recorder-hooks.mjs", import.meta.url, { data: { port: port2 }, transferList: [port2] });
  const cache = createRequire(import.meta.url).cache;
  const sweep = () => Object.keys(cache).forEach(record);
  setInterval(sweep, 200).unref();
  process.on("exit", sweep);
}

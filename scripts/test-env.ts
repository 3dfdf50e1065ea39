/**
 * Runs a command (the integration tests, the end-to-end tests, the benchmark) in a test environment of its own:
 *
 * - a network namespace made for this run, with loopback and one bridge (`atbr0`, 10.213.0.1/24) for containers;
 * - an lxcpath and a data directory under a new temporary directory;
 * - the command, and so the server, the lxc tools and the browser it starts, all inside that namespace (LXC's
 *   command socket is an abstract unix socket, scoped to the network namespace).
 *
 * Nothing on the host's network or in the host's lxcpath is touched. Everything is removed at the end, also when
 * the command fails or the run is interrupted; leftovers of a run that was killed outright are swept at the next.
 *
 * Usage: tsx scripts/test-env.ts <command> [args...]
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const NETNS_PREFIX = "atelier-t-";
const TMP_PREFIX = "atelier-test-";
export const TEST_BRIDGE = "atbr0";
const BRIDGE_ADDRESS = "10.213.0.1/24";

const here = path.dirname(fileURLToPath(import.meta.url));
const say = (message: string) => process.stderr.write(`[test-env] ${message}\n`);

const run = (file: string, args: string[]) => execa(file, args, { reject: false, stdin: "ignore" });

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Commands run inside a namespace (a /run/netns or /proc/PID/ns/net path), with its own sysfs (netns-sysfs.sh). */
const inNamespace = (netnsPath: string, argv: string[]) => [
  `--net=${netnsPath}`,
  "--",
  "unshare",
  "--mount",
  "--propagation",
  "slave",
  "--",
  path.join(here, "netns-sysfs.sh"),
  ...argv,
];

const containersIn = async (lxcPath: string) =>
  existsSync(lxcPath)
    ? (await readdir(lxcPath, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name)
    : [];

const destroyAll = async (netnsPath: string, lxcPath: string) => {
  const names = await containersIn(lxcPath);
  await Promise.all(
    names.map(async (name) => {
      if (existsSync(netnsPath)) {
        await run(
          "nsenter",
          inNamespace(netnsPath, ["lxc-stop", "-P", lxcPath, "-n", name, "-k", "-l", "ERROR"]),
        );
        await run("nsenter", inNamespace(netnsPath, ["lxc-destroy", "-P", lxcPath, "-n", name, "-f", "-s"]));
      } else {
        await run("lxc-destroy", ["-P", lxcPath, "-n", name, "-f", "-s"]);
      }
    }),
  );
};

const killQuietly = (pid: number) => {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
};

const removeNamespace = async (netns: string) => {
  if (!existsSync(`/run/netns/${netns}`)) return;
  const pids = (await run("ip", ["netns", "pids", netns])).stdout.split("\n").filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
  await run("ip", ["netns", "del", netns]);
};

/**
 * The environments scripts/test-file-env.sh made for single test files: directory, the pid holding the file's
 * network namespace, and that namespace (null when its holder is gone).
 */
const fileEnvironments = async (dir: string) => {
  const files = path.join(dir, "files");
  if (!existsSync(files)) return [];
  const found = [];
  for (const entry of await readdir(files)) {
    const fileDir = path.join(files, entry);
    const holder = Number((await readFile(path.join(fileDir, "holder"), "utf8").catch(() => "")).trim());
    const comm = holder ? await readFile(`/proc/${holder}/comm`, "utf8").catch(() => "") : "";
    const testFile = (await readFile(path.join(fileDir, "test-file"), "utf8").catch(() => "")) || fileDir;
    found.push({
      dir: fileDir,
      testFile,
      holder,
      netnsPath: comm.trim() === "sleep" ? `/proc/${holder}/ns/net` : null,
    });
  }
  return found;
};

/** Processes in a network namespace other than its holder and LXC's own per-lxcpath daemon. */
const processesIn = async (netnsPath: string, holder: number) => {
  const target = await stat(netnsPath);
  const found: string[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === holder) continue;
    const ns = await stat(`/proc/${entry}/ns/net`).catch(() => null);
    if (!ns || ns.ino !== target.ino || ns.dev !== target.dev) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => ""))
      .replaceAll("\0", " ")
      .trim();
    const program = path.basename(cmdline.split(" ")[0] ?? "");
    if (cmdline === "" || program === "lxc-monitord" || cmdline.startsWith("[lxc monitor]")) continue;
    found.push(`${entry} ${cmdline}`);
  }
  return found;
};

/** What the tests left behind in their own environments: containers, and processes still running in them. */
const leftoversOf = async (dir: string) => {
  const left: string[] = [];
  for (const file of await fileEnvironments(dir)) {
    for (const name of await containersIn(path.join(file.dir, "lxc"))) {
      left.push(`${file.testFile}: container ${name}`);
    }
    if (file.netnsPath) {
      for (const process of await processesIn(file.netnsPath, file.holder)) {
        left.push(`${file.testFile}: process ${process}`);
      }
    }
    const tmp = path.join(file.dir, "tmp");
    // tsx keeps its compile cache there (tsx-UID): a tool's cache, not a test's leftover.
    for (const entry of existsSync(tmp) ? await readdir(tmp) : []) {
      if (/^tsx-\d+$/.test(entry)) continue;
      left.push(`${file.testFile}: temporary file ${entry}`);
    }
  }
  return left;
};

const cleanup = async (netns: string, dir: string) => {
  for (const file of await fileEnvironments(dir)) {
    if (file.netnsPath) await destroyAll(file.netnsPath, path.join(file.dir, "lxc"));
    else await destroyAll("", path.join(file.dir, "lxc"));
    if (file.netnsPath) {
      for (const process of await processesIn(file.netnsPath, file.holder).catch(() => [])) {
        killQuietly(Number(process.split(" ")[0]));
      }
      killQuietly(file.holder);
    }
  }
  await destroyAll(`/run/netns/${netns}`, path.join(dir, "lxc"));
  await removeNamespace(netns);
  await rm(dir, { recursive: true, force: true });
};

/** Leftovers of earlier runs whose harness was killed before it could clean up. */
const sweepStale = async () => {
  const namespaces = (await run("ip", ["netns", "list"])).stdout
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(NETNS_PREFIX));
  for (const netns of namespaces) {
    const [, pid, tmpName] = /^atelier-t-(\d+)-(.+)$/.exec(netns) ?? [];
    if (!pid || isAlive(Number(pid))) continue;
    say(`removing leftovers of an interrupted run: ${netns}`);
    await cleanup(netns, path.join(os.tmpdir(), `${TMP_PREFIX}${tmpName}`));
  }
};

const main = async () => {
  const argv = process.argv.slice(2);
  if (argv.length === 0) {
    say("usage: tsx scripts/test-env.ts <command> [args...]");
    process.exit(2);
  }
  if (process.getuid?.() !== 0) {
    say("the tests create containers and network namespaces: run them as root");
    process.exit(2);
  }
  for (const tool of ["lxc-create", "nsenter", "unshare", "ip"]) {
    if ((await run("which", [tool])).exitCode !== 0) {
      say(
        `${tool} is missing: run the README's test command (scripts/test.sh), which installs what is needed`,
      );
      process.exit(2);
    }
  }

  await sweepStale();

  const dir = await mkdtemp(path.join(os.tmpdir(), TMP_PREFIX));
  const netns = `${NETNS_PREFIX}${process.pid}-${path.basename(dir).slice(TMP_PREFIX.length)}`;
  let cleaning: Promise<void> | undefined;
  const cleanOnce = () => (cleaning ??= cleanup(netns, dir));

  let child: ReturnType<typeof execa> | undefined;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      say(`${signal}: stopping and cleaning up`);
      child?.kill("SIGTERM");
      void cleanOnce().finally(() => process.exit(130));
    });
  }

  let exitCode = 1;
  try {
    for (const args of [
      ["netns", "add", netns],
      ["-n", netns, "link", "set", "lo", "up"],
      ["-n", netns, "link", "add", TEST_BRIDGE, "type", "bridge"],
      ["-n", netns, "addr", "add", BRIDGE_ADDRESS, "dev", TEST_BRIDGE],
      ["-n", netns, "link", "set", TEST_BRIDGE, "up"],
    ]) {
      const result = await run("ip", args);
      if (result.exitCode !== 0) throw new Error(`ip ${args.join(" ")} failed: ${result.stderr}`);
    }
    const lxcPath = path.join(dir, "lxc");
    const dataDir = path.join(dir, "data");
    const containerConfig = path.join(dir, "default.conf");
    const importDir = path.join(dir, "imports");
    // LXC's template cache for this run: the Debian test cache (scripts/lib/setup.sh) linked in, read only in
    // effect (the template only copies from it); anything the run downloads or leaves stays in the run's directory.
    const lxcCache = path.join(dir, "lxc-cache");
    await execa("mkdir", ["-p", lxcPath, dataDir, importDir, path.join(lxcCache, "debian")]);
    // The web tier runs as the atelier user: it must reach its data directory's web/ and the lxcpath (traversal
    // only; the launcher makes web/ its own).
    await execa("chmod", ["0711", dir, lxcPath, dataDir]);
    const warm = "/var/cache/atelier-test/lxc/debian/rootfs-bookworm-amd64";
    if (existsSync(warm)) await symlink(warm, path.join(lxcCache, "debian", "rootfs-bookworm-amd64"));
    await writeFile(
      containerConfig,
      [`lxc.net.0.type = veth`, `lxc.net.0.link = ${TEST_BRIDGE}`, `lxc.net.0.flags = up`, ""].join("\n"),
    );
    say(`netns ${netns}, lxcpath ${lxcPath}`);

    child = execa("nsenter", inNamespace(`/run/netns/${netns}`, argv), {
      stdio: "inherit",
      reject: false,
      env: {
        ATELIER_LXC_PATH: lxcPath,
        ATELIER_DATA_DIR: dataDir,
        ATELIER_CONTAINER_CONFIG: containerConfig,
        ATELIER_LXC_CACHE: lxcCache,
        ATELIER_IMPORT_DIRS: importDir,
        DATABASE_URL: `file:${path.join(dataDir, "web", "atelier.db")}`,
        HOST: "127.0.0.1",
        // For tests that need to know their own environment (the guard, address checks); the server ignores these.
        ATELIER_TEST_NETNS_PATH: `/run/netns/${netns}`,
        // Where scripts/test-file-env.sh makes each integration test file's own environment.
        ATELIER_TEST_DIR: dir,
        ATELIER_TEST_BRIDGE: TEST_BRIDGE,
        ATELIER_TEST_BRIDGE_ADDRESS: BRIDGE_ADDRESS,
        // An /etc over the host's whose changes stay here (scripts/netns-sysfs.sh).
        ATELIER_TEST_ETC_DIR: path.join(dir, "etc"),
      },
    });
    const result = await child;
    exitCode = result.exitCode ?? 1;
    // The harness's own check: a test file that left a container or a process in its environment fails the run.
    const left = await leftoversOf(dir);
    if (left.length > 0) {
      say(`the tests left these behind (removed now):\n  ${left.join("\n  ")}`);
      if (exitCode === 0) exitCode = 1;
    }
  } catch (error) {
    say(`failed: ${(error as Error).message}`);
  } finally {
    await cleanOnce();
  }
  process.exit(exitCode);
};

await main();

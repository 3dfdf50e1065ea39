/**
 * `atelier boot start|stop [--force]`: the boot routine (server/boot/routine.ts) run by root on this host, with
 * neither the web tier nor the helper process: systemd's boot unit runs `atelier boot start` once the host is up and
 * `atelier boot stop` at shutdown. Start takes the boot's groups (BOOTGROUPS of /etc/default/lxc, "onboot," by
 * default) in lxc-autostart's order, with lxc.start.delay and Atelier's dependencies; stop takes the same set in
 * reverse order, each container with its stop timeout, and with --all (the unit's ExecStop) every other running container
 * after them (a host's shutdown stops them all, as lxc-containers did). LXC_AUTO other than "true" in /etc/default/lxc: start does nothing. Progress goes to standard output, a line per step.
 *
 * A start records the kernel's boot id (/proc/sys/kernel/random/boot_id) in the helper's state directory: a second
 * `boot start` in the same boot does nothing (a restart of the unit, or LXC's own lxc.service having run) unless
 * `--force`; `boot stop` clears it. Running containers are never started twice either way.
 *
 * Exit codes: 0 done, 1 a container failed (the others were still started or stopped), 2 usage, 78 settings.
 */
import { lstat, mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { createBootDriver } from "../boot/driver";
import { readAutostartPlan, readLxcDefaults } from "../boot/plan";
import { runAutostart } from "../boot/routine";
import { loadSettings, SettingsError, SETTINGS_EXIT_CODE } from "../env";
import { isAppError } from "../errors";
import { createBeingMade } from "../helper/being-made";
import { lxcOperations } from "../helper/operations/lxc";
import { writeAtomically } from "../helper/write-atomically";
import { helperStateDirOf } from "../layout";
import { lxcDefaultPath } from "../lxc/tools";
import { parseLxcAuto } from "../schemas/autostart";

const USAGE =
  "usage: atelier boot start [--force] | stop [--all]   (root: the autostart containers, as at host boot)";
const BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id";
const RECORD = "boot-started.json";

const bootId = async () => (await readFile(BOOT_ID_FILE, "utf8")).trim();

/** The boot id of the last `boot start`, or null (no record, or not a regular file). */
const recordedBootId = async (stateDir: string) => {
  const file = path.join(stateDir, RECORD);
  if (!(await lstat(file).catch(() => null))?.isFile()) return null;
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as { bootId?: unknown };
    return typeof parsed.bootId === "string" ? parsed.bootId : null;
  } catch {
    return null;
  }
};

export const runBootCommand = async (args: string[]): Promise<number> => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { force: { type: "boolean" }, all: { type: "boolean" } },
    });
  } catch (error) {
    process.stderr.write(`atelier boot: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [action, extra] = parsed.positionals;
  if ((action !== "start" && action !== "stop") || extra !== undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      "atelier boot: run it as root (it starts and stops containers, as the host's boot does)\n",
    );
    return 2;
  }
  let settings;
  try {
    settings = await loadSettings(process.env, { defaultLxcPath: lxcDefaultPath });
  } catch (error) {
    if (error instanceof SettingsError) {
      process.stderr.write(`atelier boot: ${error.message}\n`);
      return SETTINGS_EXIT_CODE;
    }
    throw error;
  }
  const stateDir = helperStateDirOf(settings.dataDir);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const say = (line: string) => {
    process.stdout.write(`${line}\n`);
  };

  const current = await bootId();
  if (action === "start" && !parsed.values.force && !parseLxcAuto(await readLxcDefaults(settings.hostRoot))) {
    say(
      'LXC_AUTO is not "true" in /etc/default/lxc: no container starts at boot (as LXC\'s own lxc-containers; --force starts them)',
    );
    return 0;
  }
  if (action === "start") {
    if (!parsed.values.force && (await recordedBootId(stateDir)) === current) {
      say(
        `the autostart containers were already started in this boot (${current}): nothing to do (--force to run again)`,
      );
      return 0;
    }
    await writeAtomically(
      path.join(stateDir, RECORD),
      `${JSON.stringify({ bootId: current, startedAt: new Date().toISOString() })}\n`,
      { newMode: 0o600 },
    );
  }

  const lxc = lxcOperations({
    lxcPath: settings.lxcPath,
    ...(settings.containerConfig ? { containerConfig: settings.containerConfig } : {}),
    // The helper's marks on disk: a container whose creation the host went down in the middle of is not started.
    beingMade: createBeingMade({ stateDir }),
    bindRoots: settings.bindRoots,
  });
  try {
    const result = await runAutostart({
      plan: await readAutostartPlan({ lxcPath: settings.lxcPath, stateDir, hostRoot: settings.hostRoot }),
      group: null,
      action,
      driver: createBootDriver({
        lxcPath: settings.lxcPath,
        start: async (name) => {
          await lxc.start({ name });
        },
      }),
      say,
      // --all (the host's shutdown): every running container stops, as lxc-containers stop (-a -A) did: the boot set
      // in reverse first, then the others.
      andTheRest: action === "stop" && parsed.values.all === true,
    });
    if (action === "stop") await rm(path.join(stateDir, RECORD), { force: true });
    say(
      `${action === "start" ? "started" : "stopped"} ${result.done.length}, left as they were ${result.skipped.length}, failed ${result.failed.length}`,
    );
    return result.failed.length > 0 ? 1 : 0;
  } catch (error) {
    process.stderr.write(
      `atelier boot: ${isAppError(error) || error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
};

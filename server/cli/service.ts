/**
 * `atelier service install|uninstall|status` (root, on the host): Atelier as a systemd service. Writes the units of
 * server/cli/service-units.ts under the host root (ATELIER_HOST_ROOT, default /: tests point it at a temporary
 * directory), enables them for boot the way `systemctl enable` does (a link in multi-user.target.wants), and when
 * systemd runs this host reloads it. Starting the panel now is `systemctl start atelier` (scripts/start.sh
 * --service does it); the boot unit is not started now: it would start the autostart containers.
 */
import { constants } from "node:fs";
import {
  access,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  rmdir,
  symlink,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import {
  BOOT_UNIT,
  bootUnit,
  LAUNCHER_UNIT,
  launcherUnit,
  LXC_APPARMOR_LOAD,
  LXC_DROP_IN,
  LXC_UNIT,
  lxcDropIn,
  PLAIN_PATH,
  SETTINGS_FILE,
  settingsTemplate,
  type TUnitPaths,
} from "./service-units";

export const SERVICE_USAGE = `usage:
  atelier service install     (root) installs and enables atelier.service and the boot start and stop of the
                              autostart containers (through lxc.service where it is enabled, else atelier-boot.service)
  atelier service uninstall   (root) stops the panel and removes them (lxc.service gets its own start and stop back)
  atelier service status      what is installed, and whether systemd runs it
See docs/install.md ("As a service").`;

const UNIT_DIR = "etc/systemd/system";
const WANTS = "etc/systemd/system/multi-user.target.wants";
/** Where systemd looks for a unit file, in its order (the first found wins). */
const UNIT_PATHS = [
  "etc/systemd/system",
  "run/systemd/system",
  "usr/lib/systemd/system",
  "lib/systemd/system",
];

export type TServiceOptions = {
  /** The host's root: "/" on a host, a temporary directory in tests. */
  root: string;
  paths: TUnitPaths;
  /** Runs systemctl with these arguments (only when systemd runs this host and root is "/"). */
  systemctl?: (args: string[]) => Promise<void>;
};

export class ServiceError extends Error {}

const exists = (file: string) =>
  lstat(file).then(
    () => true,
    () => false,
  );

/** Replaces a file all at once (a unit half written could be read by a daemon-reload). */
const writeAtomic = async (file: string, text: string, mode = 0o644) => {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.atelier-new`;
  await rm(temporary, { force: true });
  // "wx": a new file of ours, never through something already there.
  await writeFile(temporary, text, { mode, flag: "wx" });
  await rename(temporary, file);
};

/** `systemctl enable`'s link: TARGET.wants/UNIT → /etc/systemd/system/UNIT. */
const enable = async (root: string, unit: string) => {
  const link = path.join(root, WANTS, unit);
  await mkdir(path.dirname(link), { recursive: true });
  await rm(link, { force: true });
  await symlink(`/${UNIT_DIR}/${unit}`, link);
};

/** What every file install writes says in its header: uninstall removes only files that say it. */
const WRITTEN_BY = "# Written by `atelier service install`";

/** Whether `file` is a regular file Atelier wrote (its header), never read through a link. */
const ours = async (file: string) => {
  if (!(await lstat(file).catch(() => null))?.isFile()) return false;
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").some((line) => line.startsWith(WRITTEN_BY));
};

/** Removes what install wrote for `unit`: its file when Atelier wrote it, its enable link when it points there. */
const removeUnit = async (root: string, unit: string) => {
  const link = path.join(root, WANTS, unit);
  if ((await readlink(link).catch(() => null)) === `/${UNIT_DIR}/${unit}`) await rm(link, { force: true });
  const file = path.join(root, UNIT_DIR, unit);
  if (await ours(file)) await rm(file, { force: true });
};

export type TLxcServiceState = "enabled" | "disabled" | "masked" | "absent";

/** Whether LXC's lxc.service is there, and enabled (a link to it in a target's .wants or .requires directory). */
export const lxcServiceState = async (root: string): Promise<TLxcServiceState> => {
  const own = path.join(root, UNIT_DIR, LXC_UNIT);
  if (await exists(own)) {
    const target = await readlink(own).catch(() => null);
    if (target === "/dev/null") return "masked";
  }
  let present = false;
  for (const dir of UNIT_PATHS) if (await exists(path.join(root, dir, LXC_UNIT))) present = true;
  if (!present) return "absent";
  const entries = await readdir(path.join(root, UNIT_DIR)).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.endsWith(".wants") && !entry.endsWith(".requires")) continue;
    if (await exists(path.join(root, UNIT_DIR, entry, LXC_UNIT))) return "enabled";
  }
  return "disabled";
};

/** The node and checkout this command runs from, checked: the units run exactly these. */
export const currentPaths = (): TUnitPaths => ({
  node: process.execPath,
  checkout: fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, ""),
});

const checkPaths = async ({ node, checkout }: TUnitPaths) => {
  for (const [what, value] of [
    ["node", node],
    ["the checkout", checkout],
  ] as const) {
    if (!PLAIN_PATH.test(value)) {
      throw new ServiceError(
        `the path of ${what} (${value}) has characters a unit cannot hold plainly (only letters, digits, / . _ + -): move it`,
      );
    }
  }
  await access(node, constants.X_OK).catch(() => {
    throw new ServiceError(`${node} is not an executable`);
  });
  for (const file of ["bin/atelier.js", "server/launcher/main.ts", "node_modules/tsx/package.json"]) {
    await access(path.join(checkout, file)).catch(() => {
      throw new ServiceError(`${checkout} has no ${file}: is it a checkout with its dependencies installed?`);
    });
  }
};

/** Whether systemd is this host's init (sd_booted(3): /run/systemd/system exists). */
const systemdRuns = (root: string) => (root === "/" ? exists("/run/systemd/system") : Promise.resolve(false));

export type TInstallReport = {
  boot: "lxc.service" | "atelier-boot.service";
  lxc: TLxcServiceState;
  written: string[];
};

export const installService = async ({
  root,
  paths,
  systemctl,
}: TServiceOptions): Promise<TInstallReport> => {
  await checkPaths(paths);
  const written: string[] = [];
  const write = async (relative: string, text: string, mode?: number) => {
    await writeAtomic(path.join(root, relative), text, mode);
    written.push(`/${relative}`);
  };
  await write(`${UNIT_DIR}/${LAUNCHER_UNIT}`, launcherUnit(paths));
  await enable(root, LAUNCHER_UNIT);
  const lxc = await lxcServiceState(root);
  let boot: TInstallReport["boot"];
  if (lxc === "enabled") {
    // Never twice: lxc.service does it, with Atelier's start and stop; a boot unit of an earlier install goes.
    await write(`${UNIT_DIR}/${LXC_DROP_IN}`, lxcDropIn(paths));
    await removeUnit(root, BOOT_UNIT);
    boot = LXC_UNIT;
  } else {
    const apparmorLoad = await exists(path.join(root, LXC_APPARMOR_LOAD));
    await write(`${UNIT_DIR}/${BOOT_UNIT}`, bootUnit(paths, { apparmorLoad }));
    await enable(root, BOOT_UNIT);
    await removeDropIn(root);
    boot = BOOT_UNIT;
  }
  const settings = path.join(root, SETTINGS_FILE);
  // Root's alone (0600): systemd reads it as root, and it may come to hold secrets (a database URL, a key's path…).
  if (!(await exists(settings))) await write(SETTINGS_FILE.slice(1), settingsTemplate(), 0o600);
  if (systemctl && (await systemdRuns(root))) await systemctl(["daemon-reload"]);
  return { boot, lxc, written };
};

const removeDropIn = async (root: string) => {
  const dropIn = path.join(root, UNIT_DIR, LXC_DROP_IN);
  if (await ours(dropIn)) await rm(dropIn, { force: true });
  // The directory only when nothing else is in it (another drop-in is someone else's).
  await rmdir(path.dirname(dropIn)).catch(() => undefined);
};

export const uninstallService = async ({ root, systemctl }: Omit<TServiceOptions, "paths">) => {
  const live = systemctl && (await systemdRuns(root));
  // The panel stops; the containers stay as they are (the boot unit is not stopped: that would stop them).
  if (live) await systemctl(["stop", LAUNCHER_UNIT]).catch(() => undefined);
  await removeUnit(root, LAUNCHER_UNIT);
  await removeUnit(root, BOOT_UNIT);
  await removeDropIn(root);
  if (live) await systemctl(["daemon-reload"]);
};

export type TServiceStatus = {
  launcher: { installed: boolean; enabled: boolean };
  boot: "lxc.service" | "atelier-boot.service" | "none";
  lxc: TLxcServiceState;
  problems: string[];
};

export const serviceStatus = async (root: string): Promise<TServiceStatus> => {
  const installed = (unit: string) => exists(path.join(root, UNIT_DIR, unit));
  const enabled = (unit: string) => exists(path.join(root, WANTS, unit));
  const lxc = await lxcServiceState(root);
  const dropIn = await exists(path.join(root, UNIT_DIR, LXC_DROP_IN));
  const bootUnitOn = (await installed(BOOT_UNIT)) && (await enabled(BOOT_UNIT));
  const launcher = { installed: await installed(LAUNCHER_UNIT), enabled: await enabled(LAUNCHER_UNIT) };
  const problems: string[] = [];
  const viaLxc = dropIn && lxc === "enabled";
  if (viaLxc && bootUnitOn) {
    problems.push("lxc.service and atelier-boot.service would both start the containers at boot");
  }
  if (lxc === "enabled" && !dropIn && (launcher.installed || bootUnitOn)) {
    problems.push(
      "lxc.service is enabled without Atelier's drop-in: it starts the containers without their order",
    );
  }
  if (launcher.installed && !viaLxc && !bootUnitOn)
    problems.push("nothing starts the autostart containers at boot");
  if (launcher.installed && !launcher.enabled) problems.push("atelier.service is not enabled at boot");
  const boot = viaLxc ? LXC_UNIT : bootUnitOn ? BOOT_UNIT : "none";
  return { launcher, boot, lxc, problems };
};

const realSystemctl = async (args: string[]) => {
  await execa("systemctl", args);
};

/** The command line's part: `atelier service …`. Resolves to the exit code. */
export const runServiceCommand = async (
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> => {
  const [command, ...rest] = args;
  if (command === "-h" || command === "--help") {
    process.stdout.write(`${SERVICE_USAGE}\n`);
    return 0;
  }
  if (rest.length > 0 || (command !== "install" && command !== "uninstall" && command !== "status")) {
    process.stderr.write(`${SERVICE_USAGE}\n`);
    return 2;
  }
  const root = env.ATELIER_HOST_ROOT || "/";
  if (!path.isAbsolute(root)) {
    process.stderr.write("atelier: ATELIER_HOST_ROOT must be an absolute path\n");
    return 2;
  }
  if (command !== "status" && process.getuid?.() !== 0) {
    process.stderr.write("atelier: run it as root: it writes systemd's units in /etc/systemd/system\n");
    return 1;
  }
  try {
    if (command === "install") {
      const report = await installService({ root, paths: currentPaths(), systemctl: realSystemctl });
      for (const file of report.written) process.stderr.write(`wrote ${file}\n`);
      process.stderr.write(
        `${LAUNCHER_UNIT} is enabled at boot; the autostart containers start at boot and stop at shutdown through ` +
          `${report.boot}${report.boot === LXC_UNIT ? " (Atelier's drop-in)" : ""}.\n` +
          `Start the panel now with: systemctl start ${LAUNCHER_UNIT}\n`,
      );
    } else if (command === "uninstall") {
      await uninstallService({ root, systemctl: realSystemctl });
      process.stderr.write(
        `removed ${LAUNCHER_UNIT}, ${BOOT_UNIT} and lxc.service's drop-in (${SETTINGS_FILE} is kept); ` +
          "the containers were left as they are\n",
      );
    } else {
      const status = await serviceStatus(root);
      const said = status.launcher.installed
        ? `installed, ${status.launcher.enabled ? "enabled" : "NOT enabled"} at boot`
        : "not installed";
      process.stdout.write(`${LAUNCHER_UNIT}: ${said}\n`);
      process.stdout.write(
        `boot start and shutdown stop of the autostart containers: ${
          status.boot === "none" ? "not installed" : `through ${status.boot}`
        }\n`,
      );
      process.stdout.write(`lxc.service: ${status.lxc}\n`);
      for (const problem of status.problems) {
        process.stdout.write(`problem: ${problem} (run atelier service install again)\n`);
      }
      if (status.launcher.installed && (await systemdRuns(root))) {
        const { stdout } = await execa("systemctl", ["is-active", LAUNCHER_UNIT], { reject: false });
        const active = String(stdout).trim() || "unknown";
        process.stdout.write(
          `${LAUNCHER_UNIT} now: ${active} (journalctl -u ${LAUNCHER_UNIT} for its log)\n`,
        );
      }
      return status.problems.length > 0 ? 1 : status.launcher.installed ? 0 : 3;
    }
    return 0;
  } catch (error) {
    if (error instanceof ServiceError) {
      process.stderr.write(`atelier: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};

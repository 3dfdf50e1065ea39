/**
 * The text of the systemd units `atelier service install` writes (server/cli/service.ts): pure, so that tests read
 * exactly what is installed.
 *
 * - `atelier.service`: the launcher (what `npm start` runs, with absolute paths), enabled at boot.
 * - The autostart containers' start at boot and stop at shutdown (`atelier boot start|stop`: Atelier's order and
 *   dependencies, stop timeouts), done ONCE, by one of:
 *   - LXC's own lxc.service where it is enabled: a drop-in replaces its ExecStart and ExecStop (Debian's
 *     /usr/libexec/lxc/lxc-containers, i.e. `lxc-autostart -g onboot,` and `lxc-autostart -a -A -s -t 5`), keeping
 *     its AppArmor load (ExecStartPre), its ordering and its place in boot and shutdown;
 *   - else `atelier-boot.service`, a oneshot ordered as lxc.service is.
 */

/** Paths as a unit holds them plainly: no spaces, quotes, `%` (systemd's specifiers), `$` or `\`. */
export const PLAIN_PATH = /^\/[A-Za-z0-9._+\-/]*$/;

export type TUnitPaths = {
  /** The node binary (absolute): the one the checkout was built with. */
  node: string;
  /** The checkout (absolute, no trailing slash). */
  checkout: string;
};

export const LAUNCHER_UNIT = "atelier.service";
export const BOOT_UNIT = "atelier-boot.service";
export const LXC_UNIT = "lxc.service";
export const LXC_DROP_IN = "lxc.service.d/atelier.conf";
export const SETTINGS_FILE = "/etc/default/atelier";
export const LXC_APPARMOR_LOAD = "/usr/libexec/lxc/lxc-apparmor-load";
/** Bounds of the boot routine as a whole (each dependency wait and each stop has its own, shorter, bound). */
export const BOOT_START_TIMEOUT = "30min";
export const BOOT_STOP_TIMEOUT = "15min";

const header = (what: string, { checkout }: TUnitPaths) =>
  [
    `# ${what}`,
    `# Written by \`atelier service install\` (checkout ${checkout}): the next install overwrites it, and`,
    "# `atelier service uninstall` removes it. Settings go in /etc/default/atelier (KEY=value lines, docs/settings.md).",
  ].join("\n");

const pathFor = ({ node }: TUnitPaths) =>
  `PATH=${node.slice(0, node.lastIndexOf("/"))}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

const cli = (paths: TUnitPaths, command: string) =>
  `${paths.node} ${paths.checkout}/bin/atelier.js ${command}`;

export const launcherUnit = (
  paths: TUnitPaths,
) => `${header("Atelier: the panel (launcher, root helper and web tier).", paths)}
[Unit]
Description=Atelier, web admin panel for LXC
Documentation=file://${paths.checkout}/docs/install.md
Wants=network-online.target
After=network-online.target lxc-net.service

[Service]
Type=exec
WorkingDirectory=${paths.checkout}
Environment=NODE_ENV=production
Environment=${pathFor(paths)}
EnvironmentFile=-${SETTINGS_FILE}
ExecStart=${paths.node} --import tsx ${paths.checkout}/server/launcher/main.ts
Restart=on-failure
RestartSec=5s
# SIGTERM to the launcher alone, which stops the web tier first, then the helper; what is left after it is killed.
# Containers are not in this unit's cgroup: liblxc run by root moves each one's monitor and payload to the root of
# every hierarchy (lxc.monitor.NAME, lxc.payload.NAME), so stopping or restarting the panel leaves them running.
KillMode=mixed
TimeoutStopSec=30s
# No sandboxing options (ProtectSystem, PrivateTmp, NoNewPrivileges, SystemCallFilter, RestrictNamespaces…): the
# helper starts containers, and what they would set (a mount namespace, no_new_privs, a seccomp filter) every
# container started from the panel would inherit; the helper also needs its namespaces, mounts and /etc. The
# launcher drops the web tier to its own user (no capabilities) itself: see docs/security.md.

[Install]
WantedBy=multi-user.target
`;

const bootExec = (paths: TUnitPaths) => `Environment=${pathFor(paths)}
EnvironmentFile=-${SETTINGS_FILE}
ExecStart=${cli(paths, "boot start")}
ExecStop=${cli(paths, "boot stop --all")}
TimeoutStartSec=${BOOT_START_TIMEOUT}
TimeoutStopSec=${BOOT_STOP_TIMEOUT}`;

/** The drop-in for LXC's lxc.service: its start and stop become Atelier's (the empty lines reset LXC's own). */
export const lxcDropIn = (paths: TUnitPaths) => `${header(
  "Atelier: lxc.service starts the autostart containers at boot in Atelier's order, with their dependencies, and\n# stops them at shutdown in reverse order (instead of lxc-autostart, which would ignore both).",
  paths,
)}
[Service]
ExecStart=
ExecStop=
${bootExec(paths)}
`;

/** The oneshot that does it where lxc.service is not enabled: ordered as lxc.service is. */
export const bootUnit = (paths: TUnitPaths, { apparmorLoad }: { apparmorLoad: boolean }) => `${header(
  "Atelier: starts the autostart containers at boot in Atelier's order, with their dependencies, and stops them at\n# shutdown in reverse order (LXC's lxc.service, which would do it otherwise, is not enabled here).",
  paths,
)}
[Unit]
Description=Atelier: autostart containers (boot start and shutdown stop)
Documentation=file://${paths.checkout}/docs/install.md
Wants=lxc-net.service
After=network.target remote-fs.target lxc-net.service

[Service]
Type=oneshot
RemainAfterExit=yes
${apparmorLoad ? `ExecStartPre=-${LXC_APPARMOR_LOAD}\n` : ""}${bootExec(paths)}
Delegate=yes

[Install]
WantedBy=multi-user.target
`;

/** A commented settings file, written once when there is none (never overwritten). */
export const settingsTemplate =
  () => `# Atelier's settings for its systemd service (atelier.service, the boot start and stop): KEY=value lines, one
# a line, read at each start (\`systemctl restart atelier\`). Every setting is in docs/settings.md. For example:
#PORT=3000
#HOST=0.0.0.0
`;

import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

/**
 * Whether the host's network managers would interfere with LXC's veths (the seed tutorial's udev trouble), from
 * their files alone (no process): NetworkManager taking veths over, udev's old persistent-net generator writing a
 * rule for every new veth MAC, systemd-networkd configuring veths with a catch-all .network file. Each check says
 * what it saw and the fix. `root` lets tests point it at a directory laid out like /.
 */
export type TReadinessCheck = {
  id: "network-manager" | "udev-persistent-net" | "systemd-networkd";
  status: "ok" | "warning";
  title: string;
  detail: string;
  fix: string | null;
};

const exists = async (file: string) => (await stat(file).catch(() => null)) !== null;
const readText = (file: string) => readFile(file, "utf8").catch(() => "");
const filesIn = async (dir: string, suffix: string) =>
  (await readdir(dir).catch(() => [] as string[]))
    .filter((entry) => entry.endsWith(suffix))
    .map((entry) => path.join(dir, entry));

const NM_FIX = `Create /etc/NetworkManager/conf.d/90-lxc.conf with:
[keyfile]
unmanaged-devices=interface-name:veth*
then run: systemctl reload NetworkManager`;

export const checkReadiness = async (root = "/"): Promise<TReadinessCheck[]> => {
  const at = (file: string) => path.join(root, file);
  const checks: TReadinessCheck[] = [];

  // NetworkManager: running (its runtime directory) and not told to leave veths alone.
  const nmRunning = await exists(at("run/NetworkManager"));
  const nmConfig = [
    await readText(at("etc/NetworkManager/NetworkManager.conf")),
    ...(await Promise.all((await filesIn(at("etc/NetworkManager/conf.d"), ".conf")).map(readText))),
  ].join("\n");
  const nmSkipsVeth = /^\s*unmanaged-devices\s*=.*(interface-name:veth|driver:veth|type:veth)/m.test(
    nmConfig,
  );
  checks.push(
    !nmRunning
      ? {
          id: "network-manager",
          status: "ok",
          title: "NetworkManager",
          detail: "Not running on this host.",
          fix: null,
        }
      : nmSkipsVeth
        ? {
            id: "network-manager",
            status: "ok",
            title: "NetworkManager",
            detail: "Running, and configured to leave veth interfaces unmanaged.",
            fix: null,
          }
        : {
            id: "network-manager",
            status: "warning",
            title: "NetworkManager",
            detail:
              "Running, with no unmanaged-devices rule for veth interfaces: it may take over the host side of a container's veth (and drop it from its bridge).",
            fix: NM_FIX,
          },
  );

  // udev: the persistent-net generator (older Debian/Ubuntu) writes a rule per new MAC, veths included.
  const generator =
    (await exists(at("lib/udev/rules.d/75-persistent-net-generator.rules"))) &&
    !(await exists(at("etc/udev/rules.d/75-persistent-net-generator.rules")));
  const persistent = await readText(at("etc/udev/rules.d/70-persistent-net.rules"));
  const vethRules = persistent
    .split("\n")
    .filter((line) => /NAME="veth|ATTR\{address\}=="(fe|00:16:3e)/i.test(line)).length;
  checks.push(
    generator || vethRules > 0
      ? {
          id: "udev-persistent-net",
          status: "warning",
          title: "udev persistent network names",
          detail: generator
            ? "udev's persistent-net generator is active: it writes a rule for every new interface MAC, and each container start adds one for its veth."
            : `70-persistent-net.rules holds ${vethRules} rule(s) for container veths.`,
          fix: generator
            ? "Disable the generator: ln -s /dev/null /etc/udev/rules.d/75-persistent-net-generator.rules, then remove the veth lines from /etc/udev/rules.d/70-persistent-net.rules."
            : "Remove the veth lines from /etc/udev/rules.d/70-persistent-net.rules.",
        }
      : {
          id: "udev-persistent-net",
          status: "ok",
          title: "udev persistent network names",
          detail: "No persistent-net generator and no rule for veth interfaces.",
          fix: null,
        },
  );

  // systemd-networkd: a .network file that matches any name (Name=*, or veth*) would configure container veths.
  const networkdRunning = await exists(at("run/systemd/netif/links"));
  const networkFiles = [
    ...(await filesIn(at("etc/systemd/network"), ".network")),
    ...(await filesIn(at("run/systemd/network"), ".network")),
  ];
  const catchAll: string[] = [];
  for (const file of networkFiles) {
    const text = await readText(file);
    if (/^\s*Name\s*=\s*(\*|veth\*|.*\bveth\*)/m.test(text)) catchAll.push(path.basename(file));
  }
  checks.push(
    networkdRunning && catchAll.length > 0
      ? {
          id: "systemd-networkd",
          status: "warning",
          title: "systemd-networkd",
          detail: `Running, and ${catchAll.join(", ")} match${catchAll.length === 1 ? "es" : ""} veth interfaces: it would configure the host side of containers' veths.`,
          fix: "Narrow the [Match] Name= of those files to the host's own interfaces (for example Name=en*), then run: networkctl reload",
        }
      : {
          id: "systemd-networkd",
          status: "ok",
          title: "systemd-networkd",
          detail: networkdRunning
            ? "Running; no .network file matches veth interfaces."
            : "Not running on this host.",
          fix: null,
        },
  );
  return checks;
};

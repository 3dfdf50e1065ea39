import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import type { TBridgeEnd, TNetworkState } from "./plan";

/**
 * Persistence: the bridges Atelier manages, written to the host's own network configuration so that they come back
 * after a reboot. Debian's ifupdown first (one file, /etc/network/interfaces.d/atelier), systemd-networkd where that
 * is what the host uses (50-atelier-*.netdev/.network in /etc/systemd/network), nothing otherwise, with a message.
 * Atelier writes only files it owns (that path, that prefix) and never edits /etc/network/interfaces; it reports the
 * stanzas there that would fight with its own. `root` is "/" on a host; tests point it at a directory laid out like /.
 */
export type TPersistSystem = "ifupdown" | "networkd" | "none";
export type TPersistFile = { path: string; content: string };
export type TPersistTarget = {
  system: TPersistSystem;
  /** Why this system, or why nothing is persisted. */
  reason: string;
  warnings: string[];
};

const IFUPDOWN_FILE = "etc/network/interfaces.d/atelier";
const NETWORKD_DIR = "etc/systemd/network";
const NETWORKD_PREFIX = "50-atelier-";
const HEADER =
  "Written by Atelier for the bridges it manages: edit them from its Network page. Changes made here by hand are overwritten.";

const exists = async (file: string) => (await stat(file).catch(() => null)) !== null;
export const readText = (file: string) => readFile(file, "utf8").catch(() => null);

/** A veth LXC made for a container (vethXXXXXX), or one known to belong to a container: not the host's to persist. */
const LXC_VETH = /^veth[0-9A-Za-z]{6}$/;

export const detectSystem = async (root: string): Promise<TPersistTarget> => {
  const at = (file: string) => path.join(root, file);
  const interfaces = await readText(at("etc/network/interfaces"));
  if (interfaces !== null) {
    const warnings: string[] = [];
    if (
      !/^\s*(source\s+(\/etc\/network\/)?interfaces\.d\/\*|source-directory\s+(\/etc\/network\/)?interfaces\.d\/?)\s*$/m.test(
        interfaces,
      )
    )
      warnings.push(
        "/etc/network/interfaces does not read /etc/network/interfaces.d: add the line `source /etc/network/interfaces.d/*` to it, or Atelier's bridges will not come back after a reboot. Atelier does not edit that file.",
      );
    if (!(await exists(at("sbin/ifup"))) && !(await exists(at("usr/sbin/ifup"))))
      warnings.push("ifupdown's ifup is not installed: install the ifupdown and bridge-utils packages.");
    else if (!(await exists(at("sbin/brctl"))) && !(await exists(at("usr/sbin/brctl"))))
      warnings.push(
        "bridge-utils is not installed: ifupdown needs it for bridge_ports lines (apt-get install bridge-utils).",
      );
    return {
      system: "ifupdown",
      reason: "This host has /etc/network/interfaces (Debian's ifupdown).",
      warnings,
    };
  }
  const networkd =
    (await exists(at("etc/systemd/system/multi-user.target.wants/systemd-networkd.service"))) ||
    (await exists(at("run/systemd/netif/links")));
  if (networkd)
    return {
      system: "networkd",
      reason: "This host runs systemd-networkd and has no /etc/network/interfaces.",
      warnings: [],
    };
  return {
    system: "none",
    reason:
      "Neither ifupdown (/etc/network/interfaces) nor systemd-networkd is in use here: changes are live only and are lost at reboot.",
    warnings: [],
  };
};

/** Ports worth writing down: not container veths (LXC makes those at every start). */
const hostPorts = (bridge: TBridgeEnd, isContainerPort: (name: string) => boolean) =>
  bridge.ports.filter((port) => !LXC_VETH.test(port) && !isContainerPort(port)).sort();

const ifupdownContent = (bridges: TBridgeEnd[], isContainerPort: (name: string) => boolean) => {
  const blocks = bridges.map((bridge) => {
    const ports = hostPorts(bridge, isContainerPort);
    const v4 = bridge.addresses.filter((cidr) => !cidr.includes(":"));
    const v6 = bridge.addresses.filter((cidr) => cidr.includes(":"));
    const options = [
      `    bridge_ports ${ports.length > 0 ? ports.join(" ") : "none"}`,
      `    bridge_stp ${bridge.stp ? "on" : "off"}`,
      `    bridge_fd ${bridge.forwardDelay}`,
      ...(bridge.mtu && bridge.mtu !== 1500 ? [`    mtu ${bridge.mtu}`] : []),
    ];
    const lines = [
      ...ports.map((port) => `iface ${port} inet manual`),
      `auto ${bridge.name}`,
      v4.length > 0 ? `iface ${bridge.name} inet static` : `iface ${bridge.name} inet manual`,
      ...v4.map((cidr) => `    address ${cidr}`),
      ...(bridge.gateway ? [`    gateway ${bridge.gateway}`] : []),
      ...options,
      ...(v6.length > 0
        ? [`iface ${bridge.name} inet6 static`, ...v6.map((cidr) => `    address ${cidr}`)]
        : []),
    ];
    return lines.join("\n");
  });
  return `# ${HEADER}\n\n${blocks.join("\n\n")}\n`;
};

const networkdFiles = (bridges: TBridgeEnd[], isContainerPort: (name: string) => boolean) =>
  bridges.flatMap((bridge) => {
    const files: TPersistFile[] = [
      {
        path: `${NETWORKD_DIR}/${NETWORKD_PREFIX}${bridge.name}.netdev`,
        content: [
          `# ${HEADER}`,
          "[NetDev]",
          `Name=${bridge.name}`,
          "Kind=bridge",
          ...(bridge.mtu && bridge.mtu !== 1500 ? [`MTUBytes=${bridge.mtu}`] : []),
          "",
          "[Bridge]",
          `STP=${bridge.stp ? "yes" : "no"}`,
          `ForwardDelaySec=${bridge.forwardDelay}`,
          "",
        ].join("\n"),
      },
      {
        path: `${NETWORKD_DIR}/${NETWORKD_PREFIX}${bridge.name}.network`,
        content: [
          `# ${HEADER}`,
          "[Match]",
          `Name=${bridge.name}`,
          "",
          "[Network]",
          ...bridge.addresses.map((cidr) => `Address=${cidr}`),
          ...(bridge.gateway ? [`Gateway=${bridge.gateway}`] : []),
          "ConfigureWithoutCarrier=yes",
          "",
        ].join("\n"),
      },
    ];
    for (const port of hostPorts(bridge, isContainerPort))
      files.push({
        path: `${NETWORKD_DIR}/${NETWORKD_PREFIX}${port}.network`,
        content: [
          `# ${HEADER}`,
          "[Match]",
          `Name=${port}`,
          "",
          "[Network]",
          `Bridge=${bridge.name}`,
          "",
        ].join("\n"),
      });
    return files;
  });

/** The files that describe these bridges (paths relative to the root), for the host's system. */
export const renderPersisted = (
  system: TPersistSystem,
  bridges: TBridgeEnd[],
  isContainerPort: (name: string) => boolean = () => false,
): TPersistFile[] => {
  const sorted = [...bridges].sort((a, b) => a.name.localeCompare(b.name));
  if (system === "ifupdown")
    return sorted.length > 0
      ? [{ path: IFUPDOWN_FILE, content: ifupdownContent(sorted, isContainerPort) }]
      : [];
  if (system === "networkd") return networkdFiles(sorted, isContainerPort);
  return [];
};

/** Atelier's own files as they are now (relative paths), so they can be compared and stale ones removed. */
export const ownedFiles = async (root: string, system: TPersistSystem) => {
  if (system === "ifupdown") return (await exists(path.join(root, IFUPDOWN_FILE))) ? [IFUPDOWN_FILE] : [];
  if (system === "networkd")
    return (await readdir(path.join(root, NETWORKD_DIR)).catch(() => [] as string[]))
      .filter((entry) => entry.startsWith(NETWORKD_PREFIX))
      .map((entry) => `${NETWORKD_DIR}/${entry}`);
  return [];
};

/** Each file that would change, as a unified diff (paths shown as on the host). */
export const persistDiff = async (root: string, system: TPersistSystem, files: TPersistFile[]) => {
  const current = await ownedFiles(root, system);
  const paths = [...new Set([...current, ...files.map((file) => file.path)])].sort();
  const result: { path: string; diff: string; content: string | null }[] = [];
  for (const relative of paths) {
    const before = (await readText(path.join(root, relative))) ?? "";
    const after = files.find((file) => file.path === relative)?.content ?? null;
    if (before === (after ?? "")) continue;
    result.push({
      path: `/${relative}`,
      content: after,
      diff: createTwoFilesPatch(`/${relative}`, `/${relative}`, before, after ?? "", "current", "new"),
    });
  }
  return result;
};

/**
 * Stanzas in files Atelier does not own that name the same interfaces: both would configure them at boot. Only
 * reported; those files are the admin's.
 */
export const persistConflicts = async (root: string, system: TPersistSystem, names: string[]) => {
  if (system !== "ifupdown" || names.length === 0) return [];
  const files = [
    "etc/network/interfaces",
    ...(await readdir(path.join(root, "etc/network/interfaces.d")).catch(() => [] as string[]))
      .filter((entry) => entry !== "atelier" && !entry.startsWith("."))
      .map((entry) => `etc/network/interfaces.d/${entry}`),
  ];
  const warnings: string[] = [];
  for (const relative of files) {
    const text = await readText(path.join(root, relative));
    if (!text) continue;
    text.split("\n").forEach((line, index) => {
      const match = /^\s*(iface|auto|allow-hotplug)\s+(\S+)/.exec(line);
      if (match?.[2] && names.includes(match[2]) && match[2] !== "lo")
        warnings.push(
          `/${relative} line ${index + 1} also configures ${match[2]} (\`${line.trim()}\`): remove that stanza by hand, or it will fight with Atelier's at boot.`,
        );
    });
  }
  return warnings;
};

/** The bridges as they are live, in the shape persistence writes. */
export const liveBridges = (network: TNetworkState, names: Set<string>): TBridgeEnd[] =>
  network.bridges
    .filter((bridge) => names.has(bridge.name))
    .map((bridge) => {
      const link = network.interfaces.find((entry) => entry.name === bridge.name);
      const route = network.routes.find(
        (entry) => entry.isDefault && entry.family === "inet" && entry.dev === bridge.name,
      );
      return {
        name: bridge.name,
        ports: bridge.ports,
        addresses: (link?.addresses ?? []).filter((a) => a.scope !== "link").map((a) => a.cidr),
        stp: bridge.stp ?? false,
        forwardDelay: bridge.forwardDelay ?? 15,
        mtu: link?.mtu ?? null,
        gateway: route?.gateway ?? null,
      };
    });

import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import { phrase, wordsOf, type TPhrase, type TWords } from "../i18n/english";
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
/** In English, with each sentence's words beside (the pages word them in the reader's language). */
export type TPersistTarget = {
  system: TPersistSystem;
  /** Why this system, or why nothing is persisted. */
  reason: string;
  reasonWords: TWords;
  warnings: string[];
  /** Each warning's words, in the same order. */
  warningWords: TWords[];
};

/** A target from its sentences. */
const target = (system: TPersistSystem, reason: TPhrase, warnings: TPhrase[] = []): TPersistTarget => ({
  system,
  reason: reason.text,
  reasonWords: wordsOf(reason),
  ...persistWarnings(warnings),
});

/** Warnings in English, and their words in the same order. */
export const persistWarnings = (warnings: TPhrase[]) => ({
  warnings: warnings.map((warning) => warning.text),
  warningWords: warnings.map(wordsOf),
});

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
    const warnings: TPhrase[] = [];
    if (
      !/^\s*(source\s+(\/etc\/network\/)?interfaces\.d\/\*|source-directory\s+(\/etc\/network\/)?interfaces\.d\/?)\s*$/m.test(
        interfaces,
      )
    )
      warnings.push(phrase("persist.notSourced"));
    if (!(await exists(at("sbin/ifup"))) && !(await exists(at("usr/sbin/ifup"))))
      warnings.push(phrase("persist.noIfup"));
    else if (!(await exists(at("sbin/brctl"))) && !(await exists(at("usr/sbin/brctl"))))
      warnings.push(phrase("persist.noBrctl"));
    return target("ifupdown", phrase("persist.ifupdown"), warnings);
  }
  const networkd =
    (await exists(at("etc/systemd/system/multi-user.target.wants/systemd-networkd.service"))) ||
    (await exists(at("run/systemd/netif/links")));
  if (networkd) return target("networkd", phrase("persist.networkd"));
  return target("none", phrase("persist.none"));
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
 * reported; those files are the admin's. Each in English with its words (persistWarnings makes the fields).
 */
export const persistConflicts = async (root: string, system: TPersistSystem, names: string[]) => {
  if (system !== "ifupdown" || names.length === 0) return [] as TPhrase[];
  const files = [
    "etc/network/interfaces",
    ...(await readdir(path.join(root, "etc/network/interfaces.d")).catch(() => [] as string[]))
      .filter((entry) => entry !== "atelier" && !entry.startsWith("."))
      .map((entry) => `etc/network/interfaces.d/${entry}`),
  ];
  const warnings: TPhrase[] = [];
  for (const relative of files) {
    const text = await readText(path.join(root, relative));
    if (!text) continue;
    text.split("\n").forEach((line, index) => {
      const match = /^\s*(iface|auto|allow-hotplug)\s+(\S+)/.exec(line);
      if (match?.[2] && names.includes(match[2]) && match[2] !== "lo")
        warnings.push(
          phrase("persist.conflict", {
            file: `/${relative}`,
            line: String(index + 1),
            name: match[2],
            stanza: line.trim(),
          }),
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

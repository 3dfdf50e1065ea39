import type { TPrincipal } from "../auth/principal.types";
import { isAtLeast } from "../auth/roles";
import { isAppError } from "../errors";
import type { THelper } from "../helper-client";
import type { TFileEntry } from "../schemas/files";

/**
 * Files inside containers, for the web tier (issue #26): what a caller's role makes of the helper's `files` family
 * (server/helper/contract/files.ts). Viewers read as the container's "others" (only what o+r allows), operators and
 * admins as its root; an admin's helper ticket goes with every change, and the helper judges it (a privileged
 * container is changed only with it). The tRPC router (server/trpc/routers/files/) and the streaming routes
 * (server/http/files.ts) both go through here.
 */
export type TFilesActor = Pick<TPrincipal, "role" | "adminTicket">;

export const readAsOf = (actor: TFilesActor) =>
  isAtLeast(actor.role, "operator") ? ("root" as const) : ("other" as const);

export const ticketOf = (actor: TFilesActor) => (actor.adminTicket ? { ticket: actor.adminTicket } : {});

export const SHORTCUT_KEYS = ["fstab", "network", "hostname", "hosts", "resolv", "init"] as const;
export type TShortcutKey = (typeof SHORTCUT_KEYS)[number];
export type TShortcut = {
  key: TShortcutKey;
  path: string;
  exists: boolean;
  kind: TFileEntry["kind"] | null;
  linkTarget: string | null;
};

type TFilesHelper = Pick<THelper["files"], "stat" | "list">;
type TReadAs = ReturnType<typeof readAsOf>;

const isMissing = (error: unknown) => isAppError(error) && error.code === "NOT_FOUND";

/** The entry at a path, or null when there is none (any other refusal is the caller's to see). */
const statOrNull = async (helper: TFilesHelper, name: string, path: string, readAs: TReadAs) => {
  try {
    return await helper.stat({ name, path, readAs });
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
};

/**
 * A directory's entries, or none when it is missing, not a directory, or not one the caller may list (a viewer and
 * a directory its others may not read: the other shortcuts are still shown).
 */
const listOrEmpty = async (helper: TFilesHelper, name: string, path: string, readAs: TReadAs) => {
  const entry = await statOrNull(helper, name, path, readAs);
  if (entry?.kind !== "directory") return [];
  try {
    return (await helper.list({ name, path, readAs })).entries;
  } catch (error) {
    if (isMissing(error) || (isAppError(error) && error.code === "FORBIDDEN")) return [];
    throw error;
  }
};

const shortcutOf = (key: TShortcutKey, path: string, entry: TFileEntry | null): TShortcut => ({
  key,
  path,
  exists: entry !== null,
  kind: entry?.kind ?? null,
  linkTarget: entry?.linkTarget ?? null,
});

/**
 * The files the seed edits by hand after a creation, found in this container: fstab, the network configuration the
 * guest uses (ifupdown's interfaces and interfaces.d, systemd-networkd's .network files, the ifcfg files of Red Hat's
 * network-scripts), hostname, hosts, resolv.conf and the init. A file missing is listed with `exists: false` (it
 * may be created); the network files are those found, else the one the guest's layout calls for.
 */
export const fileShortcuts = async (
  helper: TFilesHelper,
  name: string,
  readAs: TReadAs,
): Promise<TShortcut[]> => {
  const single = async (key: TShortcutKey, path: string) =>
    shortcutOf(key, path, await statOrNull(helper, name, path, readAs));
  const [fstab, hostname, hosts, resolv, init, interfaces, interfacesD, networkd, scripts] =
    await Promise.all([
      single("fstab", "/etc/fstab"),
      single("hostname", "/etc/hostname"),
      single("hosts", "/etc/hosts"),
      single("resolv", "/etc/resolv.conf"),
      single("init", "/sbin/init"),
      statOrNull(helper, name, "/etc/network/interfaces", readAs),
      listOrEmpty(helper, name, "/etc/network/interfaces.d", readAs),
      listOrEmpty(helper, name, "/etc/systemd/network", readAs),
      statOrNull(helper, name, "/etc/sysconfig/network-scripts", readAs).then((entry) =>
        entry?.kind === "directory"
          ? listOrEmpty(helper, name, "/etc/sysconfig/network-scripts", readAs).then((entries) => ({
              entries,
            }))
          : null,
      ),
    ]);
  const network: TShortcut[] = [
    ...(interfaces ? [shortcutOf("network", "/etc/network/interfaces", interfaces)] : []),
    ...interfacesD
      .filter((entry) => entry.kind !== "directory")
      .map((entry) => shortcutOf("network", entry.path, entry)),
    ...networkd
      .filter((entry) => entry.name.endsWith(".network"))
      .map((entry) => shortcutOf("network", entry.path, entry)),
    ...(scripts?.entries ?? [])
      .filter((entry) => entry.name.startsWith("ifcfg-"))
      .map((entry) => shortcutOf("network", entry.path, entry)),
  ];
  if (network.length === 0)
    network.push(
      shortcutOf(
        "network",
        scripts ? "/etc/sysconfig/network-scripts/ifcfg-eth0" : "/etc/network/interfaces",
        null,
      ),
    );
  return [fstab, ...network, hostname, hosts, resolv, init];
};

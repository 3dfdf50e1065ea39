import { createHash } from "node:crypto";
import path from "node:path";

/**
 * Where things live in the data directory (ATELIER_DATA_DIR, /var/lib/atelier by default). The directory itself
 * is root's; the web tier (user `atelier`) owns only `web/`, so nothing it writes can be mistaken by root for
 * root's own (a link planted in place of the helper's journal, say):
 *
 *   web/       atelier, 0700: the database, the TLS certificate and key, the setup token, the upload spool
 *   helper/    root, 0700: the helper's state (the network journal, dnsmasq's pid and leases)
 *   imports/   root, 0700: root filesystem archives (uploads are moved here by the helper)
 *   socket/    root:atelier, 0750: the helper's socket (or /run/atelier/<hash>/ when that path is too long)
 */
export const webDirOf = (dataDir: string) => path.join(dataDir, "web");
export const helperStateDirOf = (dataDir: string) => path.join(dataDir, "helper");
export const importDirOf = (dataDir: string) => path.join(dataDir, "imports");
export const uploadSpoolOf = (dataDir: string) => path.join(webDirOf(dataDir), "uploads");
export const databaseFileOf = (dataDir: string) => path.join(webDirOf(dataDir), "atelier.db");

/** A unix socket's path is at most 108 bytes: a long data directory gets a short one under /run/atelier. */
export const helperSocketPath = (dataDir: string) => {
  const inData = path.join(dataDir, "socket", "helper.sock");
  if (Buffer.byteLength(inData) < 100) return inData;
  const id = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return path.join("/run/atelier", id, "helper.sock");
};

/**
 * The web tier's local socket for the CLI run by root on the host (server/http/local-socket.ts): in a directory of
 * its own inside web/, 0700, the web tier's user's. Root is the only other user who can enter it.
 */
export const localSocketDirOf = (dataDir: string) => path.join(webDirOf(dataDir), "run");
export const localSocketPathOf = (dataDir: string) => path.join(localSocketDirOf(dataDir), "cli.sock");

import type { Stats } from "node:fs";
import { chmod, lstat, mkdir, unlink } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import path from "node:path";
import type { Duplex } from "node:stream";
import { markLocalConnection } from "../auth/local-principal";
import type { TLogger } from "../log";

/**
 * The web tier's local socket: plain HTTP on a unix socket in web/run/ (server/layout.ts), for the CLI run by root on
 * the host without a token (server/cli/remote.ts). A request on it without credentials is root on the host
 * (server/auth/local-principal.ts), so no other user may reach it: the directory must be a real directory of the
 * web tier's user with no access for group or others, inside a parent only that user (or root) can write; else the
 * socket is not opened (logged) and the CLI needs a token. It serves the very same handlers as the network
 * listener, Host check included (the CLI says `Host: localhost`).
 */
/** sun_path holds 108 bytes with its terminating NUL. */
export const MAX_SOCKET_PATH = 107;

type TStat = Pick<Stats, "uid" | "mode"> & { isDirectory(): boolean; isSymbolicLink(): boolean };

/** Why `dir` may not hold the socket (null: it may), for a web tier running as `uid`. Pure: unit-tested. */
export const socketDirProblem = (dir: TStat | null, parent: TStat | null, uid: number): string | null => {
  if (!parent || !parent.isDirectory() || parent.isSymbolicLink()) return "its parent is not a directory";
  if (parent.uid !== uid && parent.uid !== 0) return `its parent belongs to uid ${parent.uid}`;
  if ((parent.mode & 0o022) !== 0) return "its parent is writable by group or others";
  if (!dir || dir.isSymbolicLink() || !dir.isDirectory()) return "it is not a directory";
  if (dir.uid !== uid) return `it belongs to uid ${dir.uid}, not the web tier's ${uid}`;
  if ((dir.mode & 0o077) !== 0)
    return `its mode is ${(dir.mode & 0o777).toString(8)}: only its owner may enter it (0700)`;
  return null;
};

export type TLocalSocketOptions = {
  file: string;
  onRequest: (req: IncomingMessage, res: ServerResponse) => void;
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  log: TLogger;
};

/** Opens the local socket; null (logged) when its place is unsafe or unusable. */
export const openLocalSocket = async ({
  file,
  onRequest,
  onUpgrade,
  log,
}: TLocalSocketOptions): Promise<Server | null> => {
  const dir = path.dirname(file);
  const refuse = (why: string) => {
    log.error("the local socket for root's CLI is not opened", { socket: file, why });
    return null;
  };
  if (Buffer.byteLength(file) > MAX_SOCKET_PATH)
    return refuse(`the path is longer than ${MAX_SOCKET_PATH} bytes (a shorter ATELIER_DATA_DIR)`);
  const uid = process.getuid?.() ?? 0;
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  const problem = socketDirProblem(
    await lstat(dir).catch(() => null),
    await lstat(path.dirname(dir)).catch(() => null),
    uid,
  );
  if (problem) return refuse(`${dir}: ${problem}`);
  // A socket left by the previous web tier (the launcher restarts it): anything else there is not ours to remove.
  const old = await lstat(file).catch(() => null);
  if (old && !old.isSocket()) return refuse(`${file} exists and is not a socket: move it away`);
  if (old) await unlink(file);
  const server = createServer(onRequest);
  server.on("connection", markLocalConnection);
  server.on("upgrade", onUpgrade);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(file, () => {
        server.off("error", reject);
        resolve();
      });
    });
    await chmod(file, 0o600);
  } catch (error) {
    server.close();
    return refuse((error as Error).message);
  }
  server.on("error", (error) => log.error("local socket error", { error }));
  return server;
};

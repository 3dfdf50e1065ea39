import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { loadSettings } from "../env";
import { localSocketDirOf, localSocketPathOf, webDirOf } from "../layout";
import { lxcDefaultPath } from "../lxc/tools";
import { credentialsFileOf, endpointOfCredentials, readCredentials } from "./credentials";
import { RemoteError, resolveEndpoint, type TEndpoint } from "./remote";

/**
 * Where the CLI's API commands go, first found: ATELIER_TOKEN (at ATELIER_URL, or this host's panel); the stored
 * login (`atelier login`; not when ATELIER_URL names another server); for root on the host with neither a token nor
 * ATELIER_URL, the web tier's local socket (an admin, audited as local:root).
 */
const sameServer = (a: string, b: string) => {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
};

/**
 * The local socket's real path, when root may take its answers as the panel's; else a RemoteError saying why. Root
 * sends it no credentials, but acts on what it answers (and a completion feeds its names to a shell): a socket that
 * a user other than root and the web tier's could put there is refused. So the data directory and every directory
 * above it are root's and writable by no one else (a sticky one like /tmp above it aside), and web/, web/run/ and
 * the socket are one user's, closed to others, as the launcher and the web tier make them
 * (server/launcher/data-dir.ts, server/http/local-socket.ts). Checked on the real path, which is the one connected.
 */
export const trustedLocalSocket = async (dataDir: string): Promise<string> => {
  const missing = () =>
    new RemoteError(
      `no local socket at ${localSocketPathOf(dataDir)} (is Atelier running here, with this ATELIER_DATA_DIR?); elsewhere run atelier login URL or set ATELIER_TOKEN`,
    );
  const refuse = (why: string) =>
    new RemoteError(
      `the local socket ${localSocketPathOf(dataDir)} is not trusted: ${why}; set ATELIER_TOKEN (or atelier login) instead`,
    );
  const real = await realpath(dataDir).catch(() => {
    throw missing();
  });
  for (let dir = real; ; dir = path.dirname(dir)) {
    const stat = await lstat(dir);
    if (stat.uid !== 0) throw refuse(`${dir} belongs to uid ${stat.uid}, not root`);
    const isSticky = (stat.mode & 0o1000) !== 0 && dir !== real;
    if ((stat.mode & 0o022) !== 0 && !isSticky)
      throw refuse(`${dir} is writable by others (mode ${(stat.mode & 0o7777).toString(8)})`);
    if (dir === path.dirname(dir)) break;
  }
  const socketPath = localSocketPathOf(real);
  const [web, run, socket] = await Promise.all(
    [webDirOf(real), localSocketDirOf(real), socketPath].map((file) => lstat(file).catch(() => null)),
  );
  if (!socket) throw missing();
  if (!web?.isDirectory() || !run?.isDirectory() || !socket.isSocket())
    throw refuse("web/, web/run/ or the socket is not what the web tier makes");
  for (const [what, stat] of [
    ["web/", web],
    ["web/run/", run],
  ] as const) {
    if (stat.uid !== socket.uid) throw refuse(`${what} and the socket belong to different users`);
    if ((stat.mode & 0o077) !== 0) throw refuse(`${what} is open to others`);
  }
  return socketPath;
};

export const resolveApiEndpoint = (env: NodeJS.ProcessEnv): Promise<TEndpoint> =>
  resolveEndpoint(env, async (explicitUrl) => {
    const file = credentialsFileOf(env);
    const stored = await readCredentials(file);
    if (stored && (!explicitUrl || sameServer(explicitUrl, stored.url)))
      return endpointOfCredentials(stored, file);
    if (explicitUrl || process.getuid?.() !== 0) return null;
    const settings = await loadSettings(env, { defaultLxcPath: lxcDefaultPath }).catch((error: Error) => {
      throw new RemoteError(`cannot tell where this host's panel is: ${error.message}`);
    });
    const socketPath = await trustedLocalSocket(settings.dataDir);
    return { base: new URL("http://localhost/"), token: null, trust: { kind: "none" }, socketPath };
  });

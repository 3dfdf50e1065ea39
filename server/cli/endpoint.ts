import { existsSync } from "node:fs";
import { loadSettings } from "../env";
import { localSocketPathOf } from "../layout";
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
    const socketPath = localSocketPathOf(settings.dataDir);
    if (!existsSync(socketPath))
      throw new RemoteError(
        `no local socket at ${socketPath} (is Atelier running here, with this ATELIER_DATA_DIR?); elsewhere run atelier login URL or set ATELIER_TOKEN`,
      );
    return { base: new URL("http://localhost/"), token: null, trust: { kind: "none" }, socketPath };
  });

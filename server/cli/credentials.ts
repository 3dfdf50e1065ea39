import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { RemoteError, type TEndpoint } from "./remote";

/**
 * `atelier login`'s stored login: ~/.config/atelier/credentials ($XDG_CONFIG_HOME/atelier/credentials), JSON, the
 * file 0600 and its directory 0700. The file holds an API token: it is not read when anyone but its owner could
 * read it, or when someone else owns it (as ssh does with a private key).
 */
export const ZCredentials = z.object({
  url: z.string().url(),
  token: z.string().min(1),
  /** The token's id on the server: `atelier logout` revokes it. */
  tokenId: z.number().int().nullable(),
  username: z.string(),
  role: z.string(),
  /**
   * How the server's certificate is trusted: `pinned` to the one shown at login (trust on first use, its PEM and
   * SHA-256 fingerprint kept), `system` when the system's authorities vouched for it at login, `none` for http.
   */
  trust: z.enum(["pinned", "system", "none"]),
  fingerprint: z.string().nullable(),
  pem: z.string().nullable(),
  createdAt: z.string(),
});
export type TCredentials = z.infer<typeof ZCredentials>;

export const credentialsFileOf = (env: NodeJS.ProcessEnv) => {
  const config = env.XDG_CONFIG_HOME?.trim() || path.join(env.HOME?.trim() || os.homedir(), ".config");
  return path.join(config, "atelier", "credentials");
};

/**
 * The stored login, or null when there is none; a RemoteError when the file is unsafe or unreadable. The file is
 * opened without following a link and judged by what was opened (fstat), so that nothing can swap it between the
 * check and the read.
 */
export const readCredentials = async (file: string): Promise<TCredentials | null> => {
  const handle = await open(
    file,
    fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK,
  ).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    if (error.code === "ELOOP")
      throw new RemoteError(`${file} is not a regular file: remove it and run atelier login again`);
    throw new RemoteError(`cannot read ${file}: ${error.message}`);
  });
  if (!handle) return null;
  let text: string;
  try {
    const stat = await handle.stat();
    if (!stat.isFile())
      throw new RemoteError(`${file} is not a regular file: remove it and run atelier login again`);
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid)
      throw new RemoteError(
        `${file} belongs to another user (uid ${stat.uid}): remove it and run atelier login`,
      );
    if ((stat.mode & 0o077) !== 0)
      throw new RemoteError(
        `${file} is readable by others (mode ${(stat.mode & 0o777).toString(8)}): its token may be known; run \`chmod 600 ${file}\` (and revoke the token if unsure)`,
      );
    text = await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RemoteError(`${file} is not a stored login (not JSON): run atelier login again`);
  }
  const result = ZCredentials.safeParse(parsed);
  if (!result.success) throw new RemoteError(`${file} is not a stored login: run atelier login again`);
  return result.data;
};

/**
 * Writes the login: the directory made 0700 (through a handle on the directory itself, never a link: the one
 * lstat saw could be swapped for a link to /etc before a chmod by name, which root would then apply there), and
 * only when it is this user's; the file written 0600 beside it and renamed over the old one.
 */
export const writeCredentials = async (file: string, credentials: TCredentials) => {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const dirHandle = await open(
    dir,
    fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW,
  ).catch((error: NodeJS.ErrnoException) => {
    throw new RemoteError(`${dir} is not a directory (${error.code ?? error.message})`);
  });
  try {
    const uid = process.getuid?.();
    const dirStat = await dirHandle.stat();
    if (uid !== undefined && dirStat.uid !== uid)
      throw new RemoteError(
        `${dir} belongs to another user (uid ${dirStat.uid}): is HOME or XDG_CONFIG_HOME another user's?`,
      );
    await dirHandle.chmod(0o700);
  } finally {
    await dirHandle.close();
  }
  const temporary = path.join(dir, `.credentials-${randomBytes(6).toString("hex")}`);
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(credentials, null, 2)}\n`);
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
};

export const removeCredentials = (file: string) => rm(file, { force: true });

/** The endpoint of a stored login. */
export const endpointOfCredentials = (credentials: TCredentials, file: string): TEndpoint => {
  const base = new URL(credentials.url);
  if (credentials.trust === "pinned") {
    if (!credentials.pem || !credentials.fingerprint)
      throw new RemoteError(`${file} has no certificate to pin: run atelier login again`);
    return {
      base,
      token: credentials.token,
      trust: {
        kind: "pinned",
        pem: credentials.pem,
        fingerprint: credentials.fingerprint,
        source: `the certificate trusted at atelier login (${file})`,
        anyHost: true,
      },
    };
  }
  return {
    base,
    token: credentials.token,
    trust: credentials.trust === "none" ? { kind: "none" } : { kind: "system", extra: [] },
  };
};

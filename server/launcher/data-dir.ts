import { chmod, chown, lchown, lstat, mkdir, readdir, rename } from "node:fs/promises";
import path from "node:path";
import { run } from "../helper/run/runner";
import { helperStateDirOf, importDirOf, webDirOf } from "../layout";

/**
 * The data directory as server/layout.ts describes it, made so (and an older install's migrated) by the launcher
 * before it starts anything: root's own directory, open to traversal; `web/` and everything in it the web user's;
 * `helper/` and `imports/` root's alone. Ownership is changed without following links (lchown), so a link the web
 * tier planted in its own directory cannot turn root's chown on a host file.
 */
export type TWebUser = { name: string; uid: number; gid: number };

/** The web tier's system user, from the host's user database (getent: files, LDAP, whatever NSS says). */
export const resolveWebUser = async (name: string): Promise<TWebUser> => {
  // ATELIER_USER's own rule (server/env.ts), again where it becomes an argument: never read as an option.
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(name))
    throw new Error(`ATELIER_USER: ${JSON.stringify(name)} is not a user name`);
  // NSS may ask a directory server (LDAP): a slow one is given 15 s.
  const result = await run("getent", ["passwd", name], { timeoutMs: 15_000 });
  const [, , uid, gid] = result.stdout.trim().split(":");
  if (result.exitCode !== 0 || uid === undefined || gid === undefined)
    throw new Error(
      `the system user ${name} does not exist (ATELIER_USER). Create it: useradd --system --no-create-home --shell /usr/sbin/nologin ${name} (scripts/start.sh does)`,
    );
  if (Number(uid) === 0)
    throw new Error(`ATELIER_USER: ${name} is root; the web tier must run as an unprivileged user`);
  return { name, uid: Number(uid), gid: Number(gid) };
};

/** Files of an install from before the privilege split, at the top of the data directory: they move into web/. */
const WEB_FILES = [
  "atelier.db",
  "atelier.db-wal",
  "atelier.db-shm",
  "atelier.db-journal",
  "tls",
  "setup-token",
];

const isRealDirectory = async (dir: string) => (await lstat(dir).catch(() => null))?.isDirectory() ?? false;

/**
 * chown -hR, never following a link, never leaving the tree. Only while no web tier runs (the launcher, before it
 * starts one): a process that can rename entries meanwhile could swap a directory for a link between the listing
 * and the chown.
 */
export const chownTree = async (dir: string, uid: number, gid: number) => {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(entryPath, uid, gid);
    else await lchown(entryPath, uid, gid);
  }
};

const rootOnly = async (dir: string) => {
  if ((await lstat(dir).catch(() => null)) && !(await isRealDirectory(dir)))
    throw new Error(`${dir} is not a directory: move it away, and start Atelier again`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chown(dir, 0, 0);
  await chmod(dir, 0o700);
};

export const prepareDataDir = async (dataDir: string, user: TWebUser) => {
  await mkdir(dataDir, { recursive: true, mode: 0o711 });
  if (!(await isRealDirectory(dataDir))) throw new Error(`ATELIER_DATA_DIR: ${dataDir} is not a directory`);
  await chown(dataDir, 0, 0);
  await chmod(dataDir, 0o711);
  const web = webDirOf(dataDir);
  if ((await lstat(web).catch(() => null)) && !(await isRealDirectory(web)))
    throw new Error(`${web} is not a directory: move it away, and start Atelier again`);
  await mkdir(web, { recursive: true, mode: 0o700 });
  await mkdir(path.join(web, "tmp"), { recursive: true, mode: 0o700 });
  const moved: string[] = [];
  for (const name of WEB_FILES) {
    const from = path.join(dataDir, name);
    const to = path.join(web, name);
    if (!(await lstat(from).catch(() => null)) || (await lstat(to).catch(() => null))) continue;
    await rename(from, to);
    moved.push(name);
  }
  // dnsmasq's pid and leases, from the data directory's nat/ into the helper's.
  const helperDir = helperStateDirOf(dataDir);
  await rootOnly(helperDir);
  const oldNat = path.join(dataDir, "nat");
  if ((await isRealDirectory(oldNat)) && !(await lstat(path.join(helperDir, "nat")).catch(() => null))) {
    await rename(oldNat, path.join(helperDir, "nat"));
    moved.push("nat");
  }
  await rootOnly(importDirOf(dataDir));
  await chownTree(web, user.uid, user.gid);
  await chmod(web, 0o700);
  return { moved };
};

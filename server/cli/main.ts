/**
 * `npx atelier …`: account administration for the host's root, working on the database directly (the server need
 * not run); and `exec` and `attach`, which go through the running panel's API instead (server/cli/remote-main.ts). Passwords are read from standard input; tokens are printed on standard output only. Run by root, it
 * becomes the web tier's user first (the database is that user's: a file root made would lock the web tier out),
 * and writes an admin's password in the helper's own list of admins as root.
 */
import { lstat } from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createAccounts } from "../auth/accounts";
import { ZNewPassword, ZUsername } from "../schemas/credentials";
import { ZRole, type TRole } from "../auth/roles";
import { createDb } from "../db";
import { loadSettings, SettingsError } from "../env";
import { isAppError } from "../errors";
import { prepareDataDir, resolveWebUser } from "../launcher/data-dir";
import { migrateDatabase } from "../launcher/migrate";
import { lxcDefaultPath } from "../lxc/tools";
import { enrollAdmin, makeTicket } from "../helper/admins";
import { helperStateDirOf } from "../layout";
import { ensureRootSubids } from "../helper/subids";
import { parseIdPool, type TIdPool } from "../schemas/idmap";

const USAGE = `usage:
  atelier user add NAME --role viewer|operator|admin    (password on standard input)
  atelier user passwd NAME                              (new password on standard input; ends their sessions)
  atelier token create USER [--name NAME] [--role ROLE] [--expires-days DAYS]
  atelier token revoke ID
  atelier subids show|grant   (root's lines for the id pool in /etc/subuid and /etc/subgid: shown, or added)
  atelier exec NAME [--user U] [--timeout SECONDS] -- CMD [ARG…]   (in the container, through the panel's API)
  atelier attach NAME [--console] [--session ID|new]   (a shell in this terminal; Ctrl-] d detaches)
  (exec and attach: ATELIER_URL and ATELIER_TOKEN; \`atelier exec --help\` says more)
  atelier boot start|stop [--force]   (root: the autostart containers in order, as at host boot and shutdown)`;

class UsageError extends Error {}

const readPassword = async () => {
  if (process.stdin.isTTY) process.stderr.write("Password: ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  return parse(ZNewPassword, password, "password");
};

const parse = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${what}: ${result.error.issues[0]?.message ?? "invalid"}`);
  return result.data;
};

const main = async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: "string" },
      name: { type: "string" },
      "expires-days": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [group, command, argument] = positionals;
  if (values.help || !group) throw new UsageError("");

  // The real actor: root (or whoever ran it), not the user it becomes.
  const actor = `cli:${os.userInfo().username}`;
  const settings = await loadSettings(process.env, { defaultLxcPath: lxcDefaultPath });
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    const user = await resolveWebUser(settings.webUser);
    // Only before the launcher ever laid the directory out (an upgrade, say, so that the old database is moved, not
    // replaced): once web/ exists a web tier may be running, and walking its directory as root could be led out.
    if (!(await lstat(settings.webDir).catch(() => null))) await prepareDataDir(settings.dataDir, user);
    // The effective ids only: the database is opened as that user, and root comes back for the helper's list of
    // admins alone (asRoot below).
    process.setgroups?.([]);
    process.setegid?.(user.gid);
    process.seteuid?.(user.uid);
  }
  /** Root's part: the helper's own list of admins and its tickets (server/helper/admins.ts). */
  const asRoot = async <T>(work: (stateDir: string) => Promise<T>): Promise<T | null> => {
    if (!isRoot) {
      process.stderr.write(
        "not run as root: the helper's list of admins is unchanged (admin-only config lines)\n",
      );
      return null;
    }
    process.seteuid?.(0);
    try {
      return await work(helperStateDirOf(settings.dataDir));
    } finally {
      process.seteuid?.((await resolveWebUser(settings.webUser)).uid);
    }
  };
  const enrollInHelper = (username: string, password: string) =>
    asRoot((stateDir) => enrollAdmin(stateDir, username, password));
  await migrateDatabase(settings.databaseUrl);
  const db = createDb(settings.databaseUrl);
  const accounts = createAccounts({ db });
  const audit = (action: string, target: string | null, input: unknown) =>
    db.auditEntry.create({
      data: { actor, via: "cli", action, target, input: JSON.stringify(input), result: "ok" },
    });

  try {
    if (group === "user" && command === "add" && argument) {
      const username = parse(ZUsername, argument, "NAME");
      const role: TRole = parse(ZRole, values.role, "--role");
      const password = await readPassword();
      const user = await accounts.createUser({ username, role, password });
      if (user.role === "admin") await enrollInHelper(user.username, password);
      await audit("cli.user.add", username, { username, role });
      process.stderr.write(`created ${user.role} ${user.username}\n`);
    } else if (group === "user" && command === "passwd" && argument) {
      const user = await accounts.userByName(parse(ZUsername, argument, "NAME"));
      if (!user) throw new UsageError(`no user named ${argument}`);
      const password = await readPassword();
      await accounts.setPassword(user.id, password);
      if (user.role === "admin") await enrollInHelper(user.username, password);
      await audit("cli.user.passwd", user.username, { username: user.username });
      process.stderr.write(`password of ${user.username} changed; their sessions ended\n`);
    } else if (group === "token" && command === "create" && argument) {
      const user = await accounts.userByName(parse(ZUsername, argument, "USER"));
      if (!user) throw new UsageError(`no user named ${argument}`);
      const role = values.role === undefined ? (user.role as TRole) : parse(ZRole, values.role, "--role");
      const name = values.name ?? "cli";
      const expiresDays =
        values["expires-days"] === undefined
          ? undefined
          : parse(z.coerce.number().int().min(1).max(3650), values["expires-days"], "--expires-days");
      // An admin token made by root acts for the admin in the helper too, with root's ticket bound to the token's
      // secret (until it expires, 100 years if never; void once the admin's password or role changes).
      const ticketUntil = Date.now() + (expiresDays ?? 36_500) * 24 * 60 * 60 * 1000;
      const { token, id } = await accounts.createApiToken(
        {
          userId: user.id,
          role: user.role as TRole,
          ticketFor: (binding) =>
            asRoot((stateDir) => makeTicket(stateDir, user.username, ticketUntil, binding)),
        },
        { name, role, expiresDays },
      );
      await audit("cli.token.create", user.username, { id, name, role, expiresDays });
      process.stdout.write(`${token}\n`);
      process.stderr.write(`token ${id} (${role}) for ${user.username}; it is not shown again\n`);
    } else if (group === "subids" && (command === "show" || command === "grant") && !argument) {
      // Unprivileged containers map their ids through newuidmap, which takes only ranges these files give root.
      const pool = parseIdPool(settings.idmapPool) as TIdPool;
      const files = await asRoot(() =>
        ensureRootSubids(settings.hostRoot, pool, { dryRun: command === "show" }),
      );
      if (files === null) throw new UsageError("run it as root: /etc/subuid and /etc/subgid are root's");
      for (const file of files) {
        const said =
          file.state === "granted"
            ? "gives root the pool"
            : file.state === "added"
              ? "root's line added"
              : file.state === "conflict"
                ? `${file.conflict} (another owner) overlaps the pool: move it or ATELIER_IDMAP_POOL`
                : `missing: add this line${file.problem ? ` (${file.problem})` : ""}`;
        process.stdout.write(`${file.file}: ${file.line}  ${said}\n`);
      }
      if (command === "grant") await audit("cli.subids.grant", null, { line: files[0]?.line });
      if (files.some((file) => file.state === "missing" || file.state === "conflict")) process.exitCode = 1;
    } else if (group === "token" && command === "revoke" && argument) {
      const id = parse(z.coerce.number().int().positive(), argument, "ID");
      await accounts.revokeApiToken(id);
      await audit("cli.token.revoke", String(id), { id });
      process.stderr.write(`token ${id} revoked\n`);
    } else {
      throw new UsageError(`unknown command: ${positionals.join(" ")}`);
    }
  } finally {
    await db.$disconnect();
  }
};

const [first, ...rest] = process.argv.slice(2);
if (first === "boot") process.exit(await (await import("./boot")).runBootCommand(rest));
if (first === "exec" || first === "attach") {
  // Neither the database nor root's files: the API, with a token, as whoever runs it.
  const { runRemoteCommand } = await import("./remote-main");
  process.exit(await runRemoteCommand(first, rest));
}

try {
  await main();
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message ? `atelier: ${error.message}\n` : ""}${USAGE}\n`);
    process.exit(2);
  }
  if (error instanceof SettingsError || isAppError(error)) {
    process.stderr.write(`atelier: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

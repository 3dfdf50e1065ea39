import { isAtLeast, type TRole } from "../auth/roles";
import { ZContainerName } from "../schemas/container-name";
import type { TContext } from "./context";
import { AppError, isAppError, said } from "../errors";
import { describeError, toTRPCError, validationIssues } from "./errors";
import { t } from "./init";

/** Domain errors become tRPC errors through the one table; anything else is logged and reported without detail. */
const mapErrors = t.middleware(async ({ next, ctx, path }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (isAppError(cause)) throw toTRPCError(cause);
  if (result.error.code === "INTERNAL_SERVER_ERROR") {
    ctx.log.error("procedure failed", { path, error: cause ?? result.error });
    throw toTRPCError(new AppError("INTERNAL", said("internalError")));
  }
  return result;
});

// stdin: what a command was fed (containers.exec) may be a secret, and is never kept.
const SECRET_KEY = /pass(word)?|secret|token|key|^stdin$/i;
/**
 * A command's arguments (containers.exec, console.openExec) may carry a secret (`chpasswd`, a password option), and
 * operators read the audit: its program is kept, and how many arguments followed.
 */
const commandOf = (argv: unknown) =>
  Array.isArray(argv) && typeof argv[0] === "string"
    ? argv.length > 1
      ? `${argv[0]} (+${argv.length - 1} arguments)`
      : argv[0]
    : "[redacted]";
/** A file's contents (files.write) are never kept: the audit says which path changed, not into what. */
const contentOf = (value: unknown) =>
  typeof value === "string" ? `[${Buffer.byteLength(value)} bytes, not kept]` : "[not kept]";
const summarise = (input: unknown): string | null => {
  if (input === undefined) return null;
  const text = JSON.stringify(input, (key, value: unknown) =>
    key === "argv"
      ? commandOf(value)
      : key === "content"
        ? contentOf(value)
        : key && SECRET_KEY.test(key)
          ? "[redacted]"
          : value,
  );
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
};

/** The paths a files.* change names (a rename's two), bounded, for its event's sentence. */
const filePathsOf = (input: unknown) => {
  const { path, from, to } = (input ?? {}) as { path?: unknown; from?: unknown; to?: unknown };
  const first = typeof path === "string" ? path : from;
  return {
    ...(typeof first === "string" ? { path: first.slice(0, 4096) } : {}),
    ...(typeof to === "string" ? { to: to.slice(0, 4096) } : {}),
  };
};

/** Refusals: the call never ran, so it is no event and no toast for anyone (it is still audited). */
const REFUSALS = new Set([
  "UNAUTHORIZED",
  "FORBIDDEN",
  "BAD_REQUEST",
  "TOO_MANY_REQUESTS",
  "PAYLOAD_TOO_LARGE",
]);

/**
 * Every mutation, successful or not, is written to the audit log with its actor from the request context; each
 * call of a batch has its own audit context, so no call can borrow another's actor.
 *
 * A call without credentials that fails (a stranger probing, guessing, or writing text meant for an admin's screen)
 * is one row per client address and minute with a count and the procedure names only (AnonymousRefusals): no text
 * of the caller's reaches the log, an event or a toast.
 */
/**
 * An error's sentence as the audit log keeps it (JSON): its whole key in the catalogues, its values, and for invalid
 * input the field; null when it named none.
 */
const errorWordsOf = (error: { code: string; cause?: unknown }) => {
  const issue = error.code === "BAD_REQUEST" ? validationIssues(error.cause)?.[0] : undefined;
  const cause = error.cause;
  const words = issue?.id
    ? { id: issue.id, params: issue.params ?? {}, field: issue.field }
    : isAppError(cause) && cause.id
      ? { id: `errors.${cause.id}.message`, params: cause.params ?? {} }
      : null;
  const text = words && JSON.stringify(words);
  return text && text.length <= 8000 ? text : null;
};

const audit = t.middleware(async ({ next, ctx, path, type, getRawInput }) => {
  const callAudit: TContext["audit"] = {};
  const result = await next({ ctx: { audit: callAudit } });
  const actor = callAudit.actor ?? ctx.principal?.username ?? null;
  if (!result.ok && actor === null) {
    await ctx.runtime.anonymousRefusals
      .record(ctx.clientAddress, path, result.error.code)
      .catch((error: unknown) => ctx.log.error("audit entry could not be written", { path, error }));
    return result;
  }
  if (type !== "mutation") return result;
  const input: unknown = await getRawInput().catch(() => undefined);
  const rawTarget =
    (input as { name?: unknown } | undefined)?.name ??
    (input as { container?: unknown } | undefined)?.container;
  const target =
    typeof rawTarget === "string" && ZContainerName.safeParse(rawTarget).success ? rawTarget : null;
  try {
    await ctx.runtime.db.auditEntry.create({
      data: {
        actor: actor ?? "anonymous",
        via: callAudit.via ?? ctx.principal?.via ?? null,
        action: path,
        target: target ?? (typeof rawTarget === "string" ? rawTarget.slice(0, 200) : null),
        input: summarise(input),
        result: result.ok ? "ok" : "error",
        error: result.ok ? null : `${result.error.code}: ${describeError(result.error)}`.slice(0, 2000),
        errorWords: result.ok ? null : errorWordsOf(result.error),
        clientAddress: ctx.clientAddress,
      },
    });
  } catch (error) {
    ctx.log.error("audit entry could not be written", { path, error });
  }
  // Panel operations on containers are also events, so every browser learns who did what: only calls that were
  // allowed to run, by someone signed in, about a container that can exist.
  const isRefused = !result.ok && REFUSALS.has(result.error.code);
  // Files (which path, never contents) and services (which service) too.
  const isFiles = path.startsWith("files.");
  const service = (input as { service?: unknown } | undefined)?.service;
  if (
    (path.startsWith("containers.") || isFiles || path.startsWith("services.")) &&
    ctx.principal &&
    !isRefused
  ) {
    void ctx.runtime.events.publish({
      type: "operation",
      container: target,
      actor: ctx.principal.username,
      data: {
        action: path,
        ...(path.startsWith("services.") && typeof service === "string"
          ? { service: service.slice(0, 200) }
          : {}),
        result: result.ok ? "ok" : "error",
        // Which file (a path, never its contents), for the sentence.
        ...(isFiles ? filePathsOf(input) : {}),
        // A container operation's failure says why (as it always has); a file's or a service's does not: its reason
        // is often the guest's own words or an English sentence, and the sentence is read in every language (the
        // audit log keeps the reason, in the reader's words).
        ...(result.ok || isFiles || path.startsWith("services.")
          ? {}
          : { error: describeError(result.error) }),
      },
    });
  }
  return result;
});

const base = t.procedure.use(audit).use(mapErrors);

const requireRole = (minimum: TRole) =>
  t.middleware(({ ctx, next, path }) => {
    const principal = ctx.principal;
    if (!principal) throw toTRPCError(new AppError("UNAUTHORIZED", said("signInFirst")));
    if (!isAtLeast(principal.role, minimum))
      throw toTRPCError(new AppError("FORBIDDEN", said("roleTooLow", { minimum, role: principal.role })));
    return next({
      ctx: { ...ctx, principal, log: ctx.log.child({ path, user: principal.username, via: principal.via }) },
    });
  });

/**
 * Procedure tiers; every procedure is built from one of them (tests/integration/authorization.test.ts walks the
 * router to prove it). public: only sign-in and first-run setup. viewer: read everything except secrets.
 * operator: + containers. admin: + users, other people's tokens, host settings.
 */
export const publicProcedure = base.meta({ tier: "public" });
export const viewerProcedure = base.use(requireRole("viewer")).meta({ tier: "viewer" });
export const operatorProcedure = base.use(requireRole("operator")).meta({ tier: "operator" });
export const adminProcedure = base.use(requireRole("admin")).meta({ tier: "admin" });
export const router = t.router;

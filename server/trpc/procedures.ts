import { TRPCError } from "@trpc/server";
import { isAtLeast, type TRole } from "../auth/roles";
import { isAppError } from "../errors";
import { describeError, toTRPCError } from "./errors";
import { t } from "./init";

/** Domain errors become tRPC errors through the one table; anything else is logged and reported without detail. */
const mapErrors = t.middleware(async ({ next, ctx, path }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (isAppError(cause)) throw toTRPCError(cause);
  if (result.error.code === "INTERNAL_SERVER_ERROR") {
    ctx.log.error("procedure failed", { path, error: cause ?? result.error });
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal error: see the server log" });
  }
  return result;
});

const SECRET_KEY = /pass(word)?|secret|token|key/i;
const summarise = (input: unknown): string | null => {
  if (input === undefined) return null;
  const text = JSON.stringify(input, (key, value: unknown) =>
    key && SECRET_KEY.test(key) ? "[redacted]" : value,
  );
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
};

/** Every mutation, successful or not, is written to the audit log with its actor from the request context. */
const audit = t.middleware(async ({ next, ctx, path, type, getRawInput }) => {
  const result = await next();
  if (type !== "mutation") return result;
  const input: unknown = await getRawInput().catch(() => undefined);
  const target =
    (input as { name?: unknown } | undefined)?.name ??
    (input as { container?: unknown } | undefined)?.container;
  try {
    await ctx.runtime.db.auditEntry.create({
      data: {
        actor: ctx.audit.actor ?? ctx.principal?.username ?? "anonymous",
        via: ctx.audit.via ?? ctx.principal?.via ?? null,
        action: path,
        target: typeof target === "string" ? target.slice(0, 200) : null,
        input: summarise(input),
        result: result.ok ? "ok" : "error",
        error: result.ok ? null : `${result.error.code}: ${describeError(result.error)}`.slice(0, 2000),
        clientAddress: ctx.clientAddress,
      },
    });
  } catch (error) {
    ctx.log.error("audit entry could not be written", { path, error });
  }
  // Panel operations on containers are also events, so every browser learns who did what.
  if (path.startsWith("containers.")) {
    void ctx.runtime.events.publish({
      type: "operation",
      container: typeof target === "string" ? target.slice(0, 200) : null,
      actor: ctx.audit.actor ?? ctx.principal?.username ?? "anonymous",
      data: {
        action: path,
        result: result.ok ? "ok" : "error",
        ...(result.ok ? {} : { error: describeError(result.error) }),
      },
    });
  }
  return result;
});

const base = t.procedure.use(audit).use(mapErrors);

const requireRole = (minimum: TRole) =>
  t.middleware(({ ctx, next, path }) => {
    const principal = ctx.principal;
    if (!principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
    if (!isAtLeast(principal.role, minimum)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This needs the ${minimum} role; you are ${principal.role}`,
      });
    }
    return next({
      ctx: { ...ctx, principal, log: ctx.log.child({ path, user: principal.username, via: principal.via }) },
    });
  });

/**
 * Procedure tiers; every procedure is built from one of them (tests/integration/authorization.test.ts walks the
 * router to prove it). public: only sign-in and first-run setup. viewer: read everything except secrets.
 * operator: + containers. admin: + users, other people's tokens, host settings.
 */
export const publicProcedure = base;
export const viewerProcedure = base.use(requireRole("viewer"));
export const operatorProcedure = base.use(requireRole("operator"));
export const adminProcedure = base.use(requireRole("admin"));
export const router = t.router;

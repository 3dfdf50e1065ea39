import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import {
  ZConsoleSettings,
  ZExecArgv,
  ZExecTimeout,
  ZGuestUser,
  ZSessionId,
  ZTerminalKind,
  ZTerminalSize,
} from "../../../schemas/console";
import { AppError, said } from "../../../errors";
import { operatorProcedure, router } from "../../procedures";

/**
 * Shells, consoles and streamed commands (docs/console.md): tickets for the WebSocket at /api/console, the open
 * sessions of a container, and who its Shell logs in as. Operators and admins; a privileged container's, admins only.
 */
export const consoleRouter = router({
  open: operatorProcedure
    .input(
      z
        .object({
          name: ZContainerName,
          kind: ZTerminalKind,
          session: z.union([ZSessionId, z.literal("new")]).optional(),
          cols: ZTerminalSize.shape.cols,
          rows: ZTerminalSize.shape.rows,
        })
        .strict(),
    )
    .output(z.object({ sessionId: z.string(), ticket: z.string(), kind: ZTerminalKind }))
    .mutation(({ ctx, input }) => ctx.runtime.consoles.open(input, ctx.principal)),

  openExec: operatorProcedure
    .input(
      z
        .object({
          name: ZContainerName,
          argv: ZExecArgv,
          user: ZGuestUser.optional(),
          timeoutSeconds: ZExecTimeout.optional(),
        })
        .strict(),
    )
    .output(z.object({ ticket: z.string() }))
    .mutation(({ ctx, input }) => ctx.runtime.consoles.openExec(input, ctx.principal)),

  sessions: operatorProcedure
    .input(z.object({ name: ZContainerName }).strict())
    .output(
      z.array(
        z.object({
          id: z.string(),
          kind: ZTerminalKind,
          user: z.string(),
          startedAt: z.date(),
          idleSeconds: z.number().int(),
          writer: z.string().nullable(),
          watchers: z.array(z.string()),
          isYours: z.boolean(),
        }),
      ),
    )
    .query(({ ctx, input }) => ctx.runtime.consoles.list(input.name, ctx.principal)),

  close: operatorProcedure
    .input(z.object({ name: ZContainerName, sessionId: ZSessionId }).strict())
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.consoles.close(input.name, input.sessionId, ctx.principal);
      return null;
    }),

  settings: operatorProcedure
    .input(z.object({ name: ZContainerName }).strict())
    .output(ZConsoleSettings)
    .query(({ ctx, input }) => ctx.runtime.consoles.settings(input.name)),

  /**
   * Who the Shell logs in as. A privileged container's (by its config: it is read when stopped too) is the admins'
   * to set, and is not used anyway while it runs privileged (server/console/sessions.ts).
   */
  setSettings: operatorProcedure
    .input(ZConsoleSettings.extend({ name: ZContainerName }).strict())
    .output(ZConsoleSettings)
    .mutation(async ({ ctx, input: { name, ...settings } }) => {
      if (ctx.principal.role !== "admin" && !(await ctx.runtime.isolation.picture(name)).unprivileged)
        throw new AppError("FORBIDDEN", said("consoleSettingsAdminsOnly", { name }));
      return ctx.runtime.consoles.setSettings(name, settings);
    }),
});

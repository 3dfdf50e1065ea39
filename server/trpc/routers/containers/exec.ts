import { z } from "zod";
import { runExec } from "../../../console/exec";
import { ZExecInput } from "../../../schemas/console";
import { operatorProcedure } from "../../procedures";

/**
 * A command in a running container, to its end (lxc-attach --clear-env -- ARGV, no pty): its exit code and output,
 * at most 1 MiB of each stream (the rest counted, `…Truncated`). A privileged container's: admins only. Long
 * commands and large output go over the WebSocket instead (console.openExec, `atelier exec`).
 */
export const execRoute = operatorProcedure
  .input(ZExecInput)
  .output(
    z.object({
      exitCode: z.number().int().nullable(),
      signal: z.number().int().nullable(),
      timedOut: z.boolean(),
      durationMs: z.number().int(),
      stdout: z.string(),
      stderr: z.string(),
      stdoutBytes: z.number().int(),
      stderrBytes: z.number().int(),
      stdoutTruncated: z.boolean(),
      stderrTruncated: z.boolean(),
    }),
  )
  .mutation(async ({ ctx, input }) => {
    await ctx.runtime.consoles.checkAccess(input.name, ctx.principal);
    const release = ctx.runtime.consoles.commandSlot(ctx.principal);
    try {
      return await runExec(ctx.runtime.helper, input, ctx.principal, ctx.signal);
    } finally {
      release();
    }
  });

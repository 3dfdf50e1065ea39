import { operatorProcedure } from "../../procedures";
import { ZAuditEntrySchema, ZListAuditRequestSchema, ZListAuditResponseSchema } from "./audit.types";

/** An entry's stored error words, or null (none kept, or not readable). */
const wordsFrom = (text: string | null) => {
  if (text === null) return null;
  try {
    const words = ZAuditEntrySchema.shape.errorWords.safeParse(JSON.parse(text));
    return words.success ? words.data : null;
  } catch {
    return null;
  }
};

/** The audit log, newest first, filtered. Operators and admins; viewers cannot see it. Read-only: no procedure edits it. */
export const listAuditRoute = operatorProcedure
  .input(ZListAuditRequestSchema)
  .output(ZListAuditResponseSchema)
  .query(async ({ ctx, input }) => {
    const entries = await ctx.runtime.db.auditEntry.findMany({
      where: {
        ...(input.actor ? { actor: input.actor } : {}),
        ...(input.action ? { action: { startsWith: input.action } } : {}),
        ...(input.target ? { target: input.target } : {}),
        ...(input.result ? { result: input.result } : {}),
        ...(input.from || input.to
          ? { at: { ...(input.from ? { gte: input.from } : {}), ...(input.to ? { lte: input.to } : {}) } }
          : {}),
        ...(input.before ? { id: { lt: input.before } } : {}),
      },
      orderBy: { id: "desc" },
      take: input.limit + 1,
    });
    const page = entries.slice(0, input.limit).map(({ errorWords, ...entry }) => ({
      ...entry,
      errorWords: wordsFrom(errorWords),
    }));
    return { entries: page, nextBefore: entries.length > input.limit ? (page.at(-1)?.id ?? null) : null };
  });

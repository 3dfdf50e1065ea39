import { viewerProcedure } from "../../procedures";
import { ZListEventsRequestSchema, ZListEventsResponseSchema } from "./events.types";

/** The event timeline, newest first, filtered by container, type, actor and time. */
export const listEventsRoute = viewerProcedure
  .input(ZListEventsRequestSchema)
  .output(ZListEventsResponseSchema)
  .query(async ({ ctx, input }) => {
    const rows = await ctx.runtime.db.event.findMany({
      where: {
        ...(input.container ? { container: input.container } : {}),
        ...(input.type ? { type: input.type } : {}),
        ...(input.actor ? { actor: input.actor } : {}),
        ...(input.from || input.to
          ? { at: { ...(input.from ? { gte: input.from } : {}), ...(input.to ? { lte: input.to } : {}) } }
          : {}),
        ...(input.before ? { id: { lt: input.before } } : {}),
      },
      orderBy: { id: "desc" },
      take: input.limit + 1,
    });
    const events = rows.slice(0, input.limit);
    return { events, nextBefore: rows.length > input.limit ? (events.at(-1)?.id ?? null) : null };
  });

import { z } from "zod";

const ZFilterText = z.string().trim().max(200).optional();

export const ZListEventsRequestSchema = z
  .object({
    container: ZFilterText,
    type: z.enum(["state", "exit", "operation", "resync", "monitor", "oom", "network", "job"]).optional(),
    actor: ZFilterText,
    from: z.date().optional(),
    to: z.date().optional(),
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict();
export type TListEventsRequest = z.input<typeof ZListEventsRequestSchema>;

export const ZEventSchema = z.object({
  id: z.number(),
  at: z.date(),
  type: z.string(),
  container: z.string().nullable(),
  state: z.string().nullable(),
  actor: z.string().nullable(),
  data: z.string().nullable(),
});

export const ZListEventsResponseSchema = z.object({
  events: z.array(ZEventSchema),
  nextBefore: z.number().nullable(),
});

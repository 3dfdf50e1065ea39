import { z } from "zod";

const ZFilterText = z.string().trim().max(200).optional();

export const ZListAuditRequestSchema = z
  .object({
    actor: ZFilterText,
    action: ZFilterText,
    target: ZFilterText,
    result: z.enum(["ok", "error"]).optional(),
    from: z.date().optional(),
    to: z.date().optional(),
    /** Entries older than this id (the last id of the previous page). */
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict();
export type TListAuditRequest = z.input<typeof ZListAuditRequestSchema>;

export const ZAuditEntrySchema = z.object({
  id: z.number(),
  at: z.date(),
  actor: z.string(),
  via: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  input: z.string().nullable(),
  result: z.string(),
  error: z.string().nullable(),
  /**
   * The error's sentence (its whole key in the catalogues, its values, and for invalid input the field), when it
   * named one: the page words it in the reader's language.
   */
  errorWords: z
    .object({ id: z.string(), params: z.record(z.string(), z.unknown()), field: z.string().optional() })
    .nullable(),
  clientAddress: z.string().nullable(),
});

export const ZListAuditResponseSchema = z.object({
  entries: z.array(ZAuditEntrySchema),
  /** Pass as `before` for the next page; null on the last page. */
  nextBefore: z.number().nullable(),
});

import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import { says } from "../../../schemas/issue-words";

export { ZConfigText } from "../../../schemas/lxc-config/text";
import { ZConfigText } from "../../../schemas/lxc-config/text";

const ZVersion = z.string().regex(/^[0-9a-f]{64}$/, says("validation.configText.version"));

export const ZConfigNameRequestSchema = z.object({ name: ZContainerName }).strict();

/**
 * A sentence of the `validation` catalogue: its id and values (a value may be a sentence itself), for the pages to
 * word in the reader's language beside the English the API answers (server/i18n/validation-words.ts).
 */
export const ZValidationWordsSchema = z.object({
  id: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
});

export const ZConfigProblemSchema = z.object({
  line: z.number(),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  /** The message's sentence (absent for a problem from elsewhere: the host paths' warnings). */
  id: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  key: z.string().optional(),
  replacement: z.string().optional(),
});
export type TConfigProblemResponse = z.infer<typeof ZConfigProblemSchema>;

const ZChange = z.object({
  key: z.string(),
  before: z.array(z.string()),
  after: z.array(z.string()),
  apply: z.enum(["live", "restart"]),
  applied: z
    .union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), message: z.string() })])
    .optional(),
});
export type TConfigChangeResponse = z.infer<typeof ZChange>;

export const ZGetConfigResponseSchema = z.object({
  name: z.string(),
  path: z.string(),
  raw: z.string(),
  version: z.string(),
  /** The parsed entries, with what the catalogue knows of each key. */
  entries: z.array(
    z.object({
      line: z.number(),
      key: z.string(),
      value: z.string(),
      section: z.string().nullable(),
      description: z.string().nullable(),
      apply: z.enum(["live", "restart"]).nullable(),
      /** Why only an admin may add or change this line (null: anyone who may edit). */
      adminOnly: z.string().nullable(),
      /** The same reason's sentence, for the pages to word. */
      adminOnlyWords: ZValidationWordsSchema.nullable(),
    }),
  ),
  /** Whether the caller may add and change admin-only lines (admins). */
  canWriteAdminLines: z.boolean(),
  /** Host directories operators may bind-mount from (ATELIER_BIND_ROOTS): where the host picker starts. */
  bindRoots: z.array(z.string()),
  problems: z.array(ZConfigProblemSchema),
  /** The host's cgroup layout: which family of keys (lxc.cgroup.* or lxc.cgroup2.*) limits apply through. */
  cgroup: z.enum(["v1", "v2"]),
});
export type TGetConfigResponse = z.infer<typeof ZGetConfigResponseSchema>;

/**
 * Queries whose input may hold secrets (a config's `lxc.environment` values): sent as POST (tRPC's method
 * override), never in a URL, where logs and history keep it. A GET of one is refused with 405.
 */
export const POST_ONLY_QUERIES: readonly string[] = ["config.validate"];

export const ZValidateConfigRequestSchema = z.object({ name: ZContainerName, raw: ZConfigText }).strict();
export const ZValidateConfigResponseSchema = z.object({
  /** The version of the file the diff is against. */
  version: z.string(),
  problems: z.array(ZConfigProblemSchema),
  diff: z.string(),
  changes: z.array(ZChange),
});
export type TValidateConfigResponse = z.infer<typeof ZValidateConfigResponseSchema>;

export const ZSaveConfigRequestSchema = z
  .object({
    name: ZContainerName,
    raw: ZConfigText,
    baseVersion: ZVersion,
    /** On a running container, apply cgroup changes at once (lxc-cgroup) as well as in the file. */
    applyLive: z.boolean().default(false),
    /** "import": the text came from elsewhere (pasted or uploaded); recorded in the history. */
    reason: z.enum(["save", "import"]).default("save"),
  })
  .strict();
export type TSaveConfigRequest = z.input<typeof ZSaveConfigRequestSchema>;

export const ZSaveConfigResponseSchema = ZValidateConfigResponseSchema;

export const ZConfigHistoryResponseSchema = z.array(
  z.object({
    id: z.number(),
    version: z.string(),
    author: z.string(),
    at: z.date(),
    reason: z.string(),
    lines: z.number(),
    isCurrent: z.boolean(),
  }),
);
export type TConfigHistoryResponse = z.infer<typeof ZConfigHistoryResponseSchema>;

export const ZConfigVersionRequestSchema = z
  .object({ name: ZContainerName, id: z.number().int().positive() })
  .strict();
export const ZConfigVersionResponseSchema = z.object({
  id: z.number(),
  version: z.string(),
  content: z.string(),
  author: z.string(),
  at: z.date(),
  reason: z.string(),
});

export const ZRestoreConfigRequestSchema = z
  .object({
    name: ZContainerName,
    id: z.number().int().positive(),
    baseVersion: ZVersion,
    applyLive: z.boolean().default(false),
  })
  .strict();

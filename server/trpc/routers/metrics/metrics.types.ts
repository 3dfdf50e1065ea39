import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import { says } from "../../../schemas/issue-words";

const ZStreamId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, says("validation.metrics.streamId"));

export const ZCurrentMetricsRequestSchema = z
  .object({
    /** Host figures (CPU, memory, load, disk of the lxcpath). */
    host: z.boolean().default(false),
    /** CPU and memory of every running container (the containers list, the host overview). */
    summary: z.boolean().default(false),
    /** Full samples of these containers (a detail page). */
    containers: z.array(ZContainerName).max(20, says("validation.metrics.tooManyContainers")).default([]),
    /** The last minute of CPU and memory per running container, for sparklines (with `summary`). */
    sparklines: z.boolean().default(false),
    /** Send the same selection on this live stream every tick, until the next call names the stream again. */
    streamId: ZStreamId.optional(),
  })
  .strict();
export type TCurrentMetricsRequest = z.input<typeof ZCurrentMetricsRequestSchema>;

const ZNullableNumber = z.number().nullable();

export const ZHostSampleSchema = z.object({
  cpus: z.number(),
  cpu: z.object({ percent: ZNullableNumber }),
  memory: z.object({
    total: z.number(),
    used: z.number(),
    available: z.number(),
    swapTotal: z.number(),
    swapUsed: z.number(),
  }),
  load: z.tuple([z.number(), z.number(), z.number()]),
  disk: z.object({ total: z.number(), free: z.number(), available: z.number() }).nullable(),
  containers: z.object({ running: z.number(), total: z.number() }),
});

export const ZContainerSampleSchema = z.object({
  name: z.string(),
  cpu: z.object({ percent: ZNullableNumber, percentOfCpuset: ZNullableNumber, cpusetCpus: ZNullableNumber }),
  memory: z.object({
    usage: z.number(),
    rss: ZNullableNumber,
    cache: ZNullableNumber,
    swap: ZNullableNumber,
    limit: ZNullableNumber,
  }),
  oomKills: ZNullableNumber,
  pids: z.object({ current: ZNullableNumber, limit: ZNullableNumber }),
  io: z.object({ readPerSecond: ZNullableNumber, writePerSecond: ZNullableNumber }),
  net: z.object({
    rxPerSecond: ZNullableNumber,
    txPerSecond: ZNullableNumber,
    interfaces: z.array(
      z.object({
        name: z.string(),
        rx: z.number(),
        tx: z.number(),
        rxPerSecond: ZNullableNumber,
        txPerSecond: ZNullableNumber,
      }),
    ),
  }),
  pressure: z.object({ cpu: ZNullableNumber, memory: ZNullableNumber, io: ZNullableNumber }),
});
export type TContainerSampleResponse = z.infer<typeof ZContainerSampleSchema>;

export const ZSummaryRowSchema = z.object({
  name: z.string(),
  cpu: ZNullableNumber,
  memory: z.number(),
  memoryLimit: ZNullableNumber,
  oomKills: ZNullableNumber,
});

export const ZCurrentMetricsResponseSchema = z.object({
  /** When the sample was taken (ms since the epoch); null before the first one. */
  t: ZNullableNumber,
  intervalMs: z.number(),
  /** "v1" (one hierarchy per controller) or "v2" (unified). */
  cgroup: z.enum(["v1", "v2"]),
  host: ZHostSampleSchema.optional(),
  summary: z.array(ZSummaryRowSchema).optional(),
  containers: z.record(z.string(), ZContainerSampleSchema.nullable()).optional(),
  sparklines: z
    .record(
      z.string(),
      z.object({ t: z.array(z.number()), cpu: z.array(ZNullableNumber), memory: z.array(ZNullableNumber) }),
    )
    .optional(),
});
export type TCurrentMetricsResponse = z.infer<typeof ZCurrentMetricsResponseSchema>;

export const HISTORY_RANGES = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  "1y": 365 * 86_400_000,
} as const;
export type THistoryRange = keyof typeof HISTORY_RANGES;

/**
 * A history window: a range, or its start and end (no further apart than a year and a day), checked the same for a
 * container's history and the host's.
 */
const ZHistoryWindow = z.object({
  range: z.enum(["1h", "24h", "7d", "30d", "1y"]).default("1h"),
  /** Start of the window; defaults to `to` minus the range. */
  from: z.date().optional(),
  /** End of the window; defaults to now (or `from` plus the range). */
  to: z.date().optional(),
});
type TWindowEnds = { from?: Date | undefined; to?: Date | undefined };
const isInOrder = (input: TWindowEnds) => !input.from || !input.to || input.from < input.to;
const isWithinAYear = (input: TWindowEnds) =>
  !input.from || !input.to || input.to.getTime() - input.from.getTime() <= HISTORY_RANGES["1y"] + 86_400_000;
const IN_ORDER = { ...says("validation.metrics.afterFrom"), path: ["to"] };
const WITHIN_A_YEAR = { ...says("validation.metrics.windowTooLong"), path: ["from"] };

export const ZMetricsHistoryRequestSchema = ZHistoryWindow.extend({ name: ZContainerName })
  .strict()
  .refine(isInOrder, IN_ORDER)
  .refine(isWithinAYear, WITHIN_A_YEAR);
export type TMetricsHistoryRequest = z.input<typeof ZMetricsHistoryRequestSchema>;

const ZPoints = z.array(ZNullableNumber);
const ZSeries = z.object({ min: ZPoints, avg: ZPoints, max: ZPoints });

export const ZMetricsHistoryResponseSchema = z.object({
  name: z.string(),
  from: z.number(),
  to: z.number(),
  /** Seconds per point: 1 (last hour, in memory), 60 or 300 (minute rows), 3600 or 21600 (hour rows). */
  resolution: z.number(),
  t: z.array(z.number()),
  series: z.object({
    cpu: ZSeries,
    memory: ZSeries,
    memoryLimit: ZSeries,
    swap: ZSeries,
    pids: ZSeries,
    ioRead: ZSeries,
    ioWrite: ZSeries,
    netRx: ZSeries,
    netTx: ZSeries,
  }),
  oomKills: z.array(z.number()),
});
export type TMetricsHistoryResponse = z.infer<typeof ZMetricsHistoryResponseSchema>;

/** The host's history: the same window as a container's, without a name. */
export const ZHostHistoryRequestSchema = ZHistoryWindow.strict()
  .refine(isInOrder, IN_ORDER)
  .refine(isWithinAYear, WITHIN_A_YEAR);
export type THostHistoryRequest = z.input<typeof ZHostHistoryRequestSchema>;

export const ZHostHistoryResponseSchema = z.object({
  from: z.number(),
  to: z.number(),
  /** Seconds per point, as for a container. */
  resolution: z.number(),
  t: z.array(z.number()),
  /** CPU in percent of all CPUs; memory, swap and disk (the lxcpath's filesystem) in bytes; network in bytes/s. */
  series: z.object({
    cpu: ZSeries,
    memory: ZSeries,
    memoryTotal: ZSeries,
    swap: ZSeries,
    load1: ZSeries,
    load5: ZSeries,
    load15: ZSeries,
    diskUsed: ZSeries,
    diskTotal: ZSeries,
    netRx: ZSeries,
    netTx: ZSeries,
  }),
  /** OOM kills (anywhere on the host) within each point's bucket. */
  oomKills: z.array(z.number()),
});
export type THostHistoryResponse = z.infer<typeof ZHostHistoryResponseSchema>;

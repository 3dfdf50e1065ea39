import { randomBytes } from "node:crypto";
import type { RecentWindow } from "./recent";
import type { TContainerSample, THostSample } from "./sample";
import type { TTick } from "./sampler";

/**
 * Metrics over the existing SSE connection, only for what a page shows. Each stream gets an id (sent to the browser
 * in its `hello` event); a page says what it shows by calling `metrics.current` with that id and a watch (host
 * figures, the one-line summary of every running container, full samples of named containers). Each tick then sends
 * that stream one `metrics` message with exactly that, and nothing to streams that watch nothing.
 */
export type TWatch = { host: boolean; summary: boolean; containers: string[] };

export type TSummaryRow = {
  name: string;
  cpu: number | null;
  memory: number;
  memoryLimit: number | null;
  oomKills: number | null;
};

export type TMetricsPayload = {
  t: number;
  host?: THostSample;
  summary?: TSummaryRow[];
  containers?: Record<string, TContainerSample | null>;
};

const SPARKLINE_SECONDS = 60;

export const summaryOf = (sample: TContainerSample): TSummaryRow => ({
  name: sample.name,
  cpu: sample.cpu.percent,
  memory: sample.memory.usage,
  memoryLimit: sample.memory.limit,
  oomKills: sample.oomKills,
});

export const payloadOf = (tick: TTick, watch: TWatch): TMetricsPayload => ({
  t: tick.t,
  ...(watch.host ? { host: tick.host } : {}),
  ...(watch.summary ? { summary: [...tick.containers.values()].map(summaryOf) } : {}),
  ...(watch.containers.length > 0
    ? {
        containers: Object.fromEntries(
          watch.containers.map((name) => [name, tick.containers.get(name) ?? null]),
        ),
      }
    : {}),
});

/** The last minute of CPU and memory per container, for the sparklines a page draws before live ticks arrive. */
export const sparklinesOf = (recent: RecentWindow, names: string[], now: number) =>
  Object.fromEntries(
    names.map((name) => {
      const { t, series } = recent.range(name, now - SPARKLINE_SECONDS * 1000, now);
      return [name, { t, cpu: series.cpu, memory: series.memory }];
    }),
  );

type TStream = { userId: number; watch: TWatch | null; write: (chunk: string) => void };

export class MetricsStreams {
  private readonly streams = new Map<string, TStream>();

  open(userId: number, write: (chunk: string) => void) {
    const id = randomBytes(16).toString("base64url");
    this.streams.set(id, { userId, watch: null, write });
    return id;
  }

  close(id: string) {
    this.streams.delete(id);
  }

  /** Sets what a stream receives; only its owner may. False when there is no such stream of this user. */
  watch(id: string, userId: number, watch: TWatch) {
    const stream = this.streams.get(id);
    if (!stream || stream.userId !== userId) return false;
    stream.watch = watch;
    return true;
  }

  publish(tick: TTick) {
    for (const stream of this.streams.values()) {
      const watch = stream.watch;
      if (!watch || (!watch.host && !watch.summary && watch.containers.length === 0)) continue;
      stream.write(`event: metrics\ndata: ${JSON.stringify(payloadOf(tick, watch))}\n\n`);
    }
  }

  get size() {
    return this.streams.size;
  }
}

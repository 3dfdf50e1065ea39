"use client";

import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";
import { useLive, type TMetricsMessage } from "@/components/live/live-events";
import { useTRPCClient } from "@/components/trpc";
import type { TCurrentMetricsResponse } from "@/server/trpc/routers/metrics/metrics.types";

/**
 * Usage figures for the components on screen. Each component says what it shows (`useMetrics`); the feed sends the
 * union to the server once (metrics.current, naming this tab's live stream), which answers with the latest sample
 * and from then on puts exactly that on the stream every tick. When components unmount, the union shrinks and the
 * server is told; when the stream reconnects (a new stream id), it is told again.
 */
export type TWatchRequest = {
  host?: boolean;
  summary?: boolean;
  containers?: string[];
  sparklines?: boolean;
};
export type TMetricsSnapshot = Partial<TCurrentMetricsResponse> & { t: number | null };

type TFeed = {
  watch: (request: TWatchRequest) => () => void;
  listen: (listener: (message: TMetricsSnapshot) => void) => () => void;
};
const FeedContext = createContext<TFeed | null>(null);
const RETRY_MS = 2000;

export function MetricsFeed({ children }: { children: ReactNode }) {
  const { streamId, subscribeMetrics } = useLive();
  const client = useTRPCClient();
  const watches = useRef(new Map<number, TWatchRequest>());
  const listeners = useRef(new Set<(message: TMetricsSnapshot) => void>());
  const nextId = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const sent = useRef("");
  const retry = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latestSync = useRef<() => void>(() => undefined);

  const sync = useCallback(() => {
    clearTimeout(timer.current);
    // Mounts and unmounts of one navigation come together: send once for all of them.
    timer.current = setTimeout(() => {
      const all = [...watches.current.values()];
      const union = {
        host: all.some((request) => request.host),
        summary: all.some((request) => request.summary),
        containers: [...new Set(all.flatMap((request) => request.containers ?? []))].slice(0, 20),
        sparklines: all.some((request) => request.sparklines),
      };
      const key = JSON.stringify([union, streamId]);
      const isEmpty = !union.host && !union.summary && union.containers.length === 0;
      if (key === sent.current || (isEmpty && sent.current === "")) return;
      sent.current = key;
      client.metrics.current
        .query({ ...union, ...(streamId ? { streamId } : {}) })
        .then((data) => {
          for (const listener of listeners.current) listener(data);
        })
        .catch(() => {
          // Not sent (the request failed, or the stream closed meanwhile): try again shortly with whatever the
          // selection and stream are by then, so a page is never left without its live figures.
          sent.current = "";
          clearTimeout(retry.current);
          retry.current = setTimeout(() => latestSync.current(), RETRY_MS);
        });
    }, 30);
  }, [client, streamId]);

  useEffect(() => {
    latestSync.current = sync;
    sync();
  }, [sync]);
  useEffect(() => () => clearTimeout(retry.current), []);
  useEffect(
    () =>
      subscribeMetrics((message: TMetricsMessage) => {
        for (const listener of listeners.current) listener(message);
      }),
    [subscribeMetrics],
  );

  const feed = useMemo<TFeed>(
    () => ({
      watch: (request) => {
        const id = (nextId.current += 1);
        watches.current.set(id, request);
        sync();
        return () => {
          watches.current.delete(id);
          sync();
        };
      },
      listen: (listener) => {
        listeners.current.add(listener);
        return () => void listeners.current.delete(listener);
      },
    }),
    [sync],
  );
  return <FeedContext.Provider value={feed}>{children}</FeedContext.Provider>;
}

/**
 * Folds every message about what this component shows (the first answer, then each tick) into its own state, in
 * the message listener: nothing is computed from refs during render.
 */
export function useMetricsReducer<T>(
  request: TWatchRequest,
  reduce: (state: T, message: TMetricsSnapshot) => T,
  initial: T,
) {
  const feed = useContext(FeedContext);
  const key = JSON.stringify(request);
  const [state, setState] = useState<T>(initial);
  const reducer = useRef(reduce);
  useEffect(() => {
    reducer.current = reduce;
  });
  useEffect(() => {
    if (!feed) return;
    const stopListening = feed.listen((message) => setState((before) => reducer.current(before, message)));
    const stopWatching = feed.watch(JSON.parse(key) as TWatchRequest);
    return () => {
      stopListening();
      stopWatching();
    };
  }, [feed, key]);
  return state;
}

const newest = (before: TMetricsSnapshot | null, message: TMetricsSnapshot) =>
  before?.t && message.t !== null && message.t < before.t ? before : message;

/** The latest figures for what this component shows, updated every tick while the stream is live. */
export function useMetrics(request: TWatchRequest) {
  return useMetricsReducer<TMetricsSnapshot | null>(request, newest, null);
}

const SPARKLINE_POINTS = 60;
export type TSparkline = { t: number[]; cpu: (number | null)[]; memory: (number | null)[] };
type TSparklines = { latest: TMetricsSnapshot | null; lines: Map<string, TSparkline> };

const extendSparklines = (state: TSparklines, message: TMetricsSnapshot): TSparklines => {
  if (message.t === null) return state;
  if (message.sparklines) return { latest: message, lines: new Map(Object.entries(message.sparklines)) };
  if (!message.summary || (state.latest?.t ?? 0) >= message.t) return state;
  const lines = new Map<string, TSparkline>();
  for (const row of message.summary) {
    const line = state.lines.get(row.name) ?? { t: [], cpu: [], memory: [] };
    lines.set(row.name, {
      t: [...line.t, message.t].slice(-SPARKLINE_POINTS),
      cpu: [...line.cpu, row.cpu].slice(-SPARKLINE_POINTS),
      memory: [...line.memory, row.memory].slice(-SPARKLINE_POINTS),
    });
  }
  return { latest: message, lines };
};

/** The last minute of CPU and memory per running container: seeded by the server, extended by every tick. */
export function useSparklines() {
  return useMetricsReducer<TSparklines>({ summary: true, sparklines: true }, extendSparklines, {
    latest: null,
    lines: new Map(),
  });
}

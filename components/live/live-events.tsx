"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useSession } from "@/components/auth/use-session";
import { useFormat } from "@/components/i18n/use-format";
import { useEventSentence } from "@/components/lib/event-sentence";
import { useTRPC } from "@/components/trpc";

/**
 * One EventSource per tab on /api/events. Each event refreshes the queries it concerns in TanStack Query's cache
 * (the server answers those from its in-memory state table: no polling, no process per request). The browser
 * reconnects by itself and resumes after the last event id it saw; `reset` means "refetch everything".
 */
export type TConnection = "connecting" | "live" | "reconnecting" | "offline";
/** A notice: the event it tells, worded when shown (in the page's language). */
type TToast = { id: number; event: TEventData };
/** A `metrics` message of the stream: what this tab's pages said they show (see components/metrics). */
export type TMetricsMessage = Record<string, unknown> & { t: number };
type TLive = {
  connection: TConnection;
  lastUpdated: Date | null;
  toasts: TToast[];
  dismiss: (id: number) => void;
  /** This stream's id (from its `hello` event), which pages name to choose the metrics it carries. */
  streamId: string | null;
  subscribeMetrics: (listener: (message: TMetricsMessage) => void) => () => void;
};

const LiveContext = createContext<TLive>({
  connection: "connecting",
  lastUpdated: null,
  toasts: [],
  dismiss: () => undefined,
  streamId: null,
  subscribeMetrics: () => () => undefined,
});
export const useLive = () => useContext(LiveContext);

type TEventData = {
  type: string;
  container: string | null;
  state: string | null;
  actor: string | null;
  data: Record<string, unknown> | null;
};

const OFFLINE_AFTER_MS = 15_000;
const TOAST_MS = 6000;

export function LiveEvents({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [connection, setConnection] = useState<TConnection>("connecting");
  const [lastUpdated, setLastUpdated] = useState<Date | null>(null);
  const [toasts, setToasts] = useState<TToast[]>([]);
  const [streamId, setStreamId] = useState<string | null>(null);
  const metricListeners = useRef(new Set<(message: TMetricsMessage) => void>());
  const nextToast = useRef(0);
  const subscribeMetrics = useCallback((listener: (message: TMetricsMessage) => void) => {
    metricListeners.current.add(listener);
    return () => void metricListeners.current.delete(listener);
  }, []);
  const username = user?.username;

  useEffect(() => {
    if (!username) return;
    const source = new EventSource("/api/events");
    let offlineTimer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      void queryClient.invalidateQueries(trpc.containers.pathFilter());
      void queryClient.invalidateQueries(trpc.events.pathFilter());
    };
    source.onopen = () => {
      clearTimeout(offlineTimer);
      setConnection("live");
      setLastUpdated(new Date());
    };
    source.onerror = () => {
      setConnection(source.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
      clearTimeout(offlineTimer);
      offlineTimer = setTimeout(
        () => setConnection((now) => (now === "live" ? now : "offline")),
        OFFLINE_AFTER_MS,
      );
    };
    source.addEventListener("ready", () => setLastUpdated(new Date()));
    // Each connection (and each reconnection) has its own id; pages re-send what they show when it changes.
    source.addEventListener("hello", (message) => {
      const { streamId: id } = JSON.parse((message as MessageEvent<string>).data) as { streamId: string };
      setStreamId(id);
    });
    source.addEventListener("metrics", (message) => {
      setLastUpdated(new Date());
      const payload = JSON.parse((message as MessageEvent<string>).data) as TMetricsMessage;
      for (const listener of metricListeners.current) listener(payload);
    });
    source.addEventListener("reset", () => {
      setLastUpdated(new Date());
      void queryClient.invalidateQueries();
    });
    source.addEventListener("atelier", (message) => {
      setLastUpdated(new Date());
      const event = JSON.parse((message as MessageEvent<string>).data) as TEventData;
      refresh();
      // Out of memory, someone else's job that ends (your own show their end where you started them), someone
      // else's operation: each told in its sentence, with its links.
      const isOthers = event.actor !== null && event.actor !== username;
      const hasEnded = typeof event.data?.state === "string" && event.data.state !== "running";
      if (
        event.type === "oom" ||
        (event.type === "job" && event.actor !== username && hasEnded) ||
        (event.type === "operation" && isOthers)
      ) {
        const id = (nextToast.current += 1);
        setToasts((list) => [...list.slice(-3), { id, event }]);
        setTimeout(() => setToasts((list) => list.filter((toast) => toast.id !== id)), TOAST_MS);
      }
    });
    return () => {
      clearTimeout(offlineTimer);
      source.close();
      setStreamId(null);
    };
  }, [username, queryClient, trpc]);

  const dismiss = (id: number) => setToasts((list) => list.filter((toast) => toast.id !== id));
  return (
    <LiveContext.Provider value={{ connection, lastUpdated, toasts, dismiss, streamId, subscribeMetrics }}>
      {children}
    </LiveContext.Provider>
  );
}

const dots: Record<TConnection, string> = {
  connecting: "bg-amber-500",
  live: "bg-emerald-500",
  reconnecting: "bg-amber-500",
  offline: "bg-red-600",
};

/** The connection to the live stream, in words, with the time of the last update. */
export function ConnectionIndicator() {
  const t = useTranslations("live");
  const f = useFormat();
  const { connection, lastUpdated } = useLive();
  return (
    <p
      role="status"
      aria-live="polite"
      data-connection={connection}
      className="flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300"
    >
      <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-full ${dots[connection]}`} />
      {t(`connection.${connection}`)}
      {lastUpdated && (
        <span className="text-slate-500 dark:text-slate-400">
          {t("updated", { time: f.time(lastUpdated) })}
        </span>
      )}
    </p>
  );
}

/** Changes made by other people, announced politely and gone after a few seconds. */
export function Toasts() {
  const t = useTranslations("live");
  const say = useEventSentence();
  const { toasts, dismiss } = useLive();
  return (
    <div aria-live="polite" className="fixed bottom-4 right-4 z-40 flex w-80 flex-col gap-2">
      {toasts.map((toast) => {
        const { text: sentence, links, by } = say(toast.event);
        return (
          <div
            key={toast.id}
            role="status"
            className="flex items-start justify-between gap-2 rounded-md border border-slate-200 bg-white p-3 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
          >
            <span>
              {by ? t("by", { sentence, by }) : sentence}
              {links.map((link) => (
                <Link
                  key={link.href}
                  href={link.href}
                  className="ml-2 text-sky-700 underline dark:text-sky-400"
                >
                  {link.label}
                </Link>
              ))}
            </span>
            <button
              type="button"
              aria-label={t("dismiss")}
              onClick={() => dismiss(toast.id)}
              className="text-slate-500 hover:text-slate-900 dark:hover:text-white"
            >
              ×
            </button>
          </div>
        );
      })}
    </div>
  );
}

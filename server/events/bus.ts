import type { TDb } from "../db";
import type { TLogger } from "../log";

/**
 * Every LXC state change and every panel operation becomes an event with a monotonically increasing id, stored in
 * the database (so a browser can resume after the id it last saw) and handed to every subscriber (the SSE streams).
 */
export type TEventType = "state" | "exit" | "operation" | "resync" | "monitor" | "oom" | "network" | "job";

export type TEventInput = {
  type: TEventType;
  container?: string | null;
  state?: string | null;
  actor?: string | null;
  data?: Record<string, unknown> | null;
};

export type TEvent = {
  id: number;
  at: Date;
  type: TEventType;
  container: string | null;
  state: string | null;
  actor: string | null;
  data: Record<string, unknown> | null;
};

type TRow = {
  id: number;
  at: Date;
  type: string;
  container: string | null;
  state: string | null;
  actor: string | null;
  data: string | null;
};

const toEvent = (row: TRow): TEvent => ({
  ...row,
  type: row.type as TEventType,
  data: row.data ? (JSON.parse(row.data) as Record<string, unknown>) : null,
});

export class EventBus {
  private readonly listeners = new Set<(event: TEvent) => void>();
  /** Writes one at a time, so that subscribers get events in id order. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: TDb,
    private readonly log: TLogger,
  ) {}

  publish(input: TEventInput): Promise<TEvent | null> {
    const written = this.tail.then(async () => {
      const row = await this.db.event.create({
        data: {
          type: input.type,
          container: input.container ?? null,
          state: input.state ?? null,
          actor: input.actor ?? null,
          data: input.data ? JSON.stringify(input.data) : null,
        },
      });
      const event = toEvent(row);
      for (const listener of this.listeners) listener(event);
      return event;
    });
    this.tail = written.catch((error: unknown) => this.log.error("event could not be written", { error }));
    return written.catch(() => null);
  }

  subscribe(listener: (event: TEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `afterId`, oldest first, at most `limit`. */
  async since(afterId: number, limit: number): Promise<TEvent[]> {
    const rows = await this.db.event.findMany({
      where: { id: { gt: afterId } },
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map(toEvent);
  }

  async oldestId(): Promise<number | null> {
    return (await this.db.event.findFirst({ orderBy: { id: "asc" }, select: { id: true } }))?.id ?? null;
  }

  async latestId(): Promise<number> {
    return (await this.db.event.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0;
  }

  prune(days: number) {
    return this.db.event.deleteMany({
      where: { at: { lt: new Date(Date.now() - days * 24 * 60 * 60 * 1000) } },
    });
  }
}

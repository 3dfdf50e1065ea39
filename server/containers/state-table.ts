import type { TListedContainer } from "../helper/contract/lxc";
import type { TLxcDriver } from "../helper-client/lxc";
import type { TContainerState } from "../schemas/container-state";

/**
 * The server's table of containers and their state, so that list requests do not each spawn lxc-ls (which loads
 * every container's config: ~0.15 s at 60 containers). Concurrent readers share one lxc-ls; a table older than
 * `maxAgeMs` is re-read on the next request; every operation made through Atelier refreshes its row at once.
 *
 * While lxc-monitor runs (server/monitor), its events update the table and the age limit is not used.
 */
export type TStateTableOptions = {
  /** How stale the table may be for changes made outside Atelier (from a shell, by autostart...). */
  maxAgeMs: number;
  now?: () => number;
};

export class ContainerStateTable {
  private rows = new Map<string, TListedContainer>();
  private readAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  /**
   * When each row was last written by a single-container refresh, so an older full read cannot undo it. Only for
   * names with a row, and for a dropped row while a full read runs (that read forgets it): an operation on a name
   * that does not exist refreshes it too, and must leave nothing behind.
   */
  private rowWrittenAt = new Map<string, number>();
  /** Bumped by every state event, so that a refresh that began earlier cannot undo a newer state. */
  private versions = new Map<string, number>();
  /** While lxc-monitor runs, events keep the table current and age does not matter. */
  private isLive = false;
  private readonly now: () => number;

  constructor(
    private readonly lxc: Pick<TLxcDriver, "list" | "get">,
    private readonly options: TStateTableOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** One container's row as the table has it (the table is read first if it never was). */
  async row(name: string): Promise<TListedContainer | undefined> {
    if (this.readAt === Number.NEGATIVE_INFINITY) await this.reload();
    return this.rows.get(name);
  }

  setLive(isLive: boolean) {
    this.isLive = isLive;
  }

  async list(): Promise<TListedContainer[]> {
    const hasRead = this.readAt !== Number.NEGATIVE_INFINITY;
    if (!hasRead || (!this.isLive && this.now() - this.readAt > this.options.maxAgeMs)) await this.reload();
    return [...this.rows.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Re-read every container (one lxc-ls), sharing a read already in flight. */
  reload(): Promise<void> {
    this.inFlight ??= (async () => {
      const startedAt = this.now();
      try {
        const listed = await this.lxc.list();
        const next = new Map(listed.map((row) => [row.name, row]));
        // Rows refreshed individually after this read began are newer than what it saw.
        for (const [name, writtenAt] of this.rowWrittenAt) {
          if (writtenAt < startedAt) continue;
          const fresh = this.rows.get(name);
          if (fresh) next.set(name, fresh);
          else next.delete(name);
        }
        for (const name of this.rowWrittenAt.keys()) if (!next.has(name)) this.rowWrittenAt.delete(name);
        this.rows = next;
        this.readAt = startedAt;
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }

  /** A state change reported by lxc-monitor. Starting containers (and ones not known yet) are re-read for PID and IPs. */
  applyState(name: string, state: TContainerState) {
    this.versions.set(name, (this.versions.get(name) ?? 0) + 1);
    const row = this.rows.get(name);
    if (row) {
      const isDown = state === "STOPPED" || state === "ABORTING";
      this.rows.set(name, { ...row, state, ...(isDown ? { pid: null, ipv4: [], ipv6: [] } : {}) });
      this.rowWrittenAt.set(name, this.now());
    }
    if (!row || state === "RUNNING") void this.refresh(name);
  }

  /** Re-read one container after an operation on it; drops the row when it no longer exists. */
  async refresh(name: string): Promise<TListedContainer | undefined> {
    const version = this.versions.get(name) ?? 0;
    let row: TListedContainer | undefined;
    try {
      row = await this.lxc.get(name);
    } catch {
      row = undefined;
    }
    this.rowWrittenAt.set(name, this.now());
    if (row) {
      const { name: rowName, state, pid, ipv4, ipv6, autostart, groups, unprivileged } = row;
      const current = this.rows.get(name);
      // A state event arrived while this read ran: the event is newer than what lxc-ls saw.
      const isStale = current !== undefined && (this.versions.get(name) ?? 0) !== version;
      const fresh = { name: rowName, state, pid, ipv4, ipv6, autostart, groups, unprivileged };
      this.rows.set(
        name,
        isStale
          ? {
              ...fresh,
              state: current.state,
              ...(current.state === "STOPPED" ? { pid: null, ipv4: [], ipv6: [] } : {}),
            }
          : fresh,
      );
    } else {
      this.rows.delete(name);
      // No full read to keep it from bringing the row back: nothing to remember.
      if (!this.inFlight) this.rowWrittenAt.delete(name);
    }
    return row;
  }
}

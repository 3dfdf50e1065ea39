import type { TListedContainer, TLxcDriver } from "../lxc";

/**
 * The server's table of containers and their state, so that list requests do not each spawn lxc-ls (which loads
 * every container's config: ~0.15 s at 60 containers). Concurrent readers share one lxc-ls; a table older than
 * `maxAgeMs` is re-read on the next request; every operation made through Atelier refreshes its row at once.
 *
 * The live-state work replaces the age limit with lxc-monitor events; readers do not change.
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
  /** When each row was last written by a single-container refresh, so an older full read cannot undo it. */
  private rowWrittenAt = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly lxc: Pick<TLxcDriver, "list" | "get">,
    private readonly options: TStateTableOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  async list(): Promise<TListedContainer[]> {
    if (this.now() - this.readAt > this.options.maxAgeMs) await this.reload();
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
        this.rows = next;
        this.readAt = startedAt;
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }

  /** Re-read one container after an operation on it; drops the row when it no longer exists. */
  async refresh(name: string): Promise<TListedContainer | undefined> {
    let row: TListedContainer | undefined;
    try {
      row = await this.lxc.get(name);
    } catch {
      row = undefined;
    }
    this.rowWrittenAt.set(name, this.now());
    if (row) {
      const { name: rowName, state, pid, ipv4, ipv6, autostart, groups, unprivileged } = row;
      this.rows.set(name, { name: rowName, state, pid, ipv4, ipv6, autostart, groups, unprivileged });
    } else {
      this.rows.delete(name);
    }
    return row;
  }
}

import { SERIES, type TSeries } from "./sample";

/**
 * The last hour of samples at full resolution, in memory: one ring of timestamps shared by all containers and, per
 * container, one Float32Array holding every series (NaN where there was no value): at 1 s, 9 series x 3600 samples
 * x 4 bytes = 130 KB per container sampled within the hour, allocated when it is first seen. The host's figures
 * have a window of their own, with their own series.
 */
export class RecentWindow<TKey extends string = TSeries> {
  private readonly times: Float64Array;
  private readonly values = new Map<string, Float32Array>();
  /** The tick count when each container was last sampled. */
  private readonly lastSeen = new Map<string, number>();
  /** Where the next tick goes, and how many ticks were written in total. */
  private next = 0;
  private written = 0;

  constructor(
    readonly slots: number,
    private readonly series: readonly TKey[] = SERIES as unknown as readonly TKey[],
  ) {
    this.times = new Float64Array(slots);
  }

  /** One tick: its time and the series of every container sampled in it. */
  push(t: number, samples: Map<string, Record<TKey, number | null>>) {
    const width = this.series.length;
    const slot = this.next;
    this.times[slot] = t;
    for (const [name, series] of samples) {
      let values = this.values.get(name);
      if (!values) {
        values = new Float32Array(this.slots * width).fill(Number.NaN);
        this.values.set(name, values);
      }
      this.lastSeen.set(name, this.written);
      this.series.forEach((key, index) => {
        values[slot * width + index] = series[key] ?? Number.NaN;
      });
    }
    // Containers not sampled in this tick (stopped) get gaps; ones with no value left in the window are dropped.
    for (const [name, values] of this.values) {
      if (samples.has(name)) continue;
      values.fill(Number.NaN, slot * width, (slot + 1) * width);
      if (this.written - (this.lastSeen.get(name) ?? 0) >= this.slots) this.forget(name);
    }
    this.next = (slot + 1) % this.slots;
    this.written += 1;
  }

  /** The samples of one container between two times (ms), oldest first; empty when it has none. */
  range(name: string, from: number, to: number) {
    const values = this.values.get(name);
    const width = this.series.length;
    const count = Math.min(this.written, this.slots);
    const t: number[] = [];
    const series = Object.fromEntries(this.series.map((key) => [key, [] as (number | null)[]])) as Record<
      TKey,
      (number | null)[]
    >;
    if (!values) return { t, series };
    // Ticks before the container was first sampled in the window are left out (not gaps).
    let hasStarted = false;
    for (let step = count; step > 0; step -= 1) {
      const slot = (this.next - step + this.slots) % this.slots;
      const time = this.times[slot] ?? 0;
      if (time < from || time > to) continue;
      if (!hasStarted) {
        const start = slot * width;
        if (values.subarray(start, start + width).every(Number.isNaN)) continue;
        hasStarted = true;
      }
      t.push(time);
      this.series.forEach((key, index) => {
        const value = values[slot * width + index] ?? Number.NaN;
        series[key].push(Number.isNaN(value) ? null : value);
      });
    }
    return { t, series };
  }

  /** The oldest time the window still holds. */
  oldest(): number | null {
    if (this.written === 0) return null;
    const slot = this.written < this.slots ? 0 : this.next;
    return this.times[slot] ?? null;
  }

  forget(name: string) {
    this.values.delete(name);
    this.lastSeen.delete(name);
  }

  /** Bytes held (for the benchmark and the README's figures). */
  bytes() {
    return this.times.byteLength + [...this.values.values()].reduce((sum, v) => sum + v.byteLength, 0);
  }
}

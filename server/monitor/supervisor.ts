import type { TLogger } from "../log";
import { parseMonitorLine, type TMonitorLine } from "./parse";

/**
 * Keeps one `lxc-monitor` running for the lxcpath. When it (or the lxc-monitord it relies on) dies, it is started
 * again after a back-off (0.5 s doubling to 10 s, reset after a minute of health), and `onStarted` runs after every
 * start so that the caller can re-read the state it may have missed.
 */
/** One running `lxc-monitor` (in the helper): its lines as they come, its end, and a way to stop it. */
export type TMonitorRun = { exited: Promise<number | undefined>; stop: () => void };
export type TOpenMonitor = (onLine: (line: string) => void) => TMonitorRun;

export type TMonitorSupervisorOptions = {
  open: TOpenMonitor;
  log: TLogger;
  onLine: (line: TMonitorLine) => void;
  /** After each (re)start, once the monitor is listening. */
  onStarted: (isRestart: boolean) => Promise<void>;
  onDied: (details: { exitCode: number | undefined; restartInMs: number }) => void;
};

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
const HEALTHY_AFTER_MS = 60_000;
/** lxc-monitor connects to lxc-monitord shortly after it starts; read the state only after that. */
const SETTLE_MS = 300;

export class MonitorSupervisor {
  private child: TMonitorRun | null = null;
  private isStopped = false;
  private backoffMs = MIN_BACKOFF_MS;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private starts = 0;

  constructor(private readonly options: TMonitorSupervisorOptions) {}

  get isRunning() {
    return this.child !== null;
  }

  start() {
    if (this.isStopped || this.child) return;
    const child = this.options.open((line) => {
      const parsed = parseMonitorLine(line);
      if (parsed) this.options.onLine(parsed);
    });
    this.child = child;
    this.startedAt = Date.now();
    const isRestart = this.starts > 0;
    this.starts += 1;
    void child.exited.then((exitCode) => this.onExit(child, exitCode));
    setTimeout(() => {
      if (this.child === child) {
        this.options
          .onStarted(isRestart)
          .catch((error: unknown) => this.options.log.error("state resync failed", { error }));
      }
    }, SETTLE_MS);
  }

  private onExit(child: TMonitorRun, exitCode: number | undefined) {
    if (this.child !== child) return;
    this.child = null;
    if (this.isStopped) return;
    if (Date.now() - this.startedAt > HEALTHY_AFTER_MS) this.backoffMs = MIN_BACKOFF_MS;
    const restartInMs = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.options.log.warn("lxc-monitor exited; restarting", { exitCode, restartInMs });
    this.options.onDied({ exitCode, restartInMs });
    this.restartTimer = setTimeout(() => this.start(), restartInMs);
  }

  async stop() {
    this.isStopped = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = null;
    if (child) {
      child.stop();
      await child.exited.catch(() => undefined);
    }
  }
}

import type { TContainerService } from "../containers/service";
import type { EventBus } from "../events/bus";
import type { TLogger } from "../log";
import { MonitorSupervisor, type TOpenMonitor } from "./supervisor";

/**
 * Wires lxc-monitor to the state table and the event log: state changes update the table and become events; after
 * every (re)start of the monitor the table is re-read with one lxc-ls, and a restart is logged as a resync event.
 * IP addresses (which DHCP may give late) are re-read every `ipRefreshMs` with one lxc-ls as well.
 */
export const startLiveState = ({
  openMonitor,
  containers,
  events,
  log,
  ipRefreshMs = 30_000,
}: {
  /** Starts lxc-monitor on the lxcpath (in the helper). */
  openMonitor: TOpenMonitor;
  containers: TContainerService;
  events: EventBus;
  log: TLogger;
  ipRefreshMs?: number;
}) => {
  const lastState = new Map<string, string>();
  const supervisor = new MonitorSupervisor({
    open: openMonitor,
    log,
    onLine: (line) => {
      if (line.kind === "exit") {
        void events.publish({ type: "exit", container: line.container, data: { status: line.status } });
        return;
      }
      // lxc-monitor reports FROZEN and THAWED twice.
      if (lastState.get(line.container) === line.state) return;
      lastState.set(line.container, line.state);
      containers.applyState(line.container, line.state);
      void events.publish({ type: "state", container: line.container, state: line.state });
    },
    onStarted: async (isRestart) => {
      await containers.reload();
      lastState.clear();
      containers.setLive(true);
      if (isRestart)
        void events.publish({ type: "resync", data: { message: "lxc-monitor restarted; state re-read" } });
    },
    onDied: ({ exitCode, restartInMs }) => {
      containers.setLive(false);
      void events.publish({
        type: "monitor",
        data: { message: `lxc-monitor exited (code ${exitCode ?? "?"}); restarting in ${restartInMs} ms` },
      });
    },
  });
  supervisor.start();
  const ipTimer = setInterval(() => void containers.reload().catch(() => undefined), ipRefreshMs);
  ipTimer.unref();
  return {
    supervisor,
    stop: async () => {
      clearInterval(ipTimer);
      await supervisor.stop();
    },
  };
};

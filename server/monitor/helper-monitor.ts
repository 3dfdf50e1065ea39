import type { THelper } from "../helper-client";
import type { TOpenMonitor } from "./supervisor";

/**
 * `lxc-monitor` in the helper, as the monitor supervisor opens it: a streaming call, cancelled to stop it. The
 * monitor's side of the helper client (the client knows no monitor: it sits below it).
 */
export const openHelperMonitor =
  (helper: Pick<THelper, "lxc">): TOpenMonitor =>
  (onLine) => {
    const controller = new AbortController();
    const exited = helper.lxc.monitor({}, { signal: controller.signal, onItem: (line) => onLine(line) }).then(
      ({ exitCode }) => exitCode ?? undefined,
      () => undefined,
    );
    return { exited, stop: () => controller.abort() };
  };

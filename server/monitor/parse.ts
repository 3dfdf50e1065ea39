import { CONTAINER_STATES, type TContainerState } from "../schemas/container-state";

/** One line of `lxc-monitor` output, typed. */
export type TMonitorLine =
  | { kind: "state"; container: string; state: TContainerState }
  | { kind: "exit"; container: string; status: number };

/**
 * "'web' changed state to [RUNNING]" or "'web' exited with status [0]" (lxc-monitor 5.0); anything else is not an
 * event. FROZEN and THAWED come twice: callers treat repeated states as no change.
 */
export const parseMonitorLine = (line: string): TMonitorLine | null => {
  const state = /^'(.+)' changed state to \[([A-Z]+)\]$/.exec(line.trim());
  if (state?.[1] && state[2] && (CONTAINER_STATES as readonly string[]).includes(state[2])) {
    return { kind: "state", container: state[1], state: state[2] as TContainerState };
  }
  const exit = /^'(.+)' exited with status \[(-?\d+)\]$/.exec(line.trim());
  if (exit?.[1] && exit[2]) return { kind: "exit", container: exit[1], status: Number(exit[2]) };
  return null;
};

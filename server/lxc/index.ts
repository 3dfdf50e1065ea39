export {
  containerNotFound,
  createLxcDriver,
  DEFAULT_STOP_TIMEOUT_SECONDS,
  type TLxcDriver,
  type TStopOptions,
} from "./driver";
export { CONTAINER_STATES, type TContainerState, type TListedContainer, type TContainerInfo } from "./parse";
export { lxcDefaultPath, runMonitor } from "./tools";
export { checkConfigWithLiblxc, type TConfigVerdict } from "./check-config";

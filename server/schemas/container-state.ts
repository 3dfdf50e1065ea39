import { z } from "zod";

/** The states liblxc reports (`lxc-info -s`, `lxc-ls -f`), in lxc's own words. */
export const CONTAINER_STATES = [
  "STOPPED",
  "STARTING",
  "RUNNING",
  "STOPPING",
  "ABORTING",
  "FREEZING",
  "FROZEN",
  "THAWED",
] as const;
export type TContainerState = (typeof CONTAINER_STATES)[number];
export const ZContainerState = z.enum(CONTAINER_STATES);

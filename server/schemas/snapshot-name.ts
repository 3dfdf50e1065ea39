import { z } from "zod";
import { says } from "./issue-words";

/** The names lxc-snapshot gives (snap0, snap1 …): the only snapshot names Atelier reads, restores or deletes. */
export const SNAPSHOT_NAME = /^snap\d{1,6}$/;
export const ZSnapshotName = z.string().regex(SNAPSHOT_NAME, says("validation.containers.snapshotName"));

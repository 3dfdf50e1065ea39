import path from "node:path";
import { isValidContainerName } from "../../schemas/container-name";
import { SNAPSHOT_NAME } from "../../schemas/snapshot-name";
import { runCommand } from "../commands";
import type { TOperationContext } from "../operation";

/**
 * The lxc-* commands that run as jobs (streamed, cancellable, minutes long): copies, snapshots and their restores.
 * Every call passes `-l ERROR` (LXC prints nothing on some failures without it) and `-K` where LXC would otherwise
 * write the guest's hostname file as root through the guest's links. The one-shot lxc-* calls are the driver's
 * (server/lxc/tools.ts).
 */
const TIMEOUT_MS = 30 * 60 * 1000;
const PACKAGE = "lxc";

const container = (value: string) => {
  if (!isValidContainerName(value)) throw new Error(`lxc: not a container name: ${JSON.stringify(value)}`);
  return value;
};
const snapshotName = (value: string) => {
  if (!SNAPSHOT_NAME.test(value)) throw new Error(`lxc: not a snapshot name: ${JSON.stringify(value)}`);
  return value;
};
const absolute = (value: string) => {
  if (!path.isAbsolute(value) || path.normalize(value) !== value || value.includes("\0"))
    throw new Error(`lxc: not a plain absolute path: ${JSON.stringify(value)}`);
  return value;
};
const job = (program: "lxc-copy" | "lxc-snapshot", args: string[], context: TOperationContext) =>
  runCommand(program, args, context, { timeoutMs: TIMEOUT_MS, package: PACKAGE });

/** `lxc-copy -K`: a full copy, or an overlay snapshot clone. */
export const copyContainer = (
  { lxcPath, source, name, isOverlay }: { lxcPath: string; source: string; name: string; isOverlay: boolean },
  context: TOperationContext,
) =>
  job(
    "lxc-copy",
    [
      ...["-P", absolute(lxcPath), "-l", "ERROR", "-n", container(source), "-N", container(name), "-K"],
      ...(isOverlay ? ["-s", "-B", "overlay"] : []),
    ],
    context,
  );

/** `lxc-snapshot`, with a comment file (made by the caller) when given. */
export const snapshotContainer = (
  { lxcPath, name, commentFile }: { lxcPath: string; name: string; commentFile?: string },
  context: TOperationContext,
) =>
  job(
    "lxc-snapshot",
    [
      ...["-P", absolute(lxcPath), "-l", "ERROR", "-n", container(name)],
      ...(commentFile ? ["-c", absolute(commentFile)] : []),
    ],
    context,
  );

/**
 * A snapshot restored as a new container: what `lxc-snapshot -r -N` does (liblxc's do_lxcapi_snapshot_restore: a
 * clone of the snapshot with the container's storage type, its log where lxc-snapshot's goes), but with -K.
 */
export const restoreSnapshotAsNew = (
  options: {
    lxcPath: string;
    name: string;
    /** Where LXC keeps the container's snapshots (server/rootfs/hostname.ts: snapshotsDirOf). */
    snapshotsDir: string;
    snapshot: string;
    newName: string;
    isOverlay: boolean;
  },
  context: TOperationContext,
) => {
  const lxcPath = absolute(options.lxcPath);
  const name = container(options.name);
  return job(
    "lxc-copy",
    [
      ...["-P", absolute(options.snapshotsDir), "-l", "ERROR", "-o", path.join(lxcPath, name, `${name}.log`)],
      ...["-n", snapshotName(options.snapshot), "-N", container(options.newName), "-p", lxcPath, "-K"],
      ...(options.isOverlay ? ["-s", "-B", "overlay"] : ["-B", "dir"]),
    ],
    context,
  );
};

/** `lxc-snapshot -r`: the snapshot restored in place. */
export const restoreSnapshotInPlace = (
  { lxcPath, name, snapshot }: { lxcPath: string; name: string; snapshot: string },
  context: TOperationContext,
) =>
  job(
    "lxc-snapshot",
    ["-P", absolute(lxcPath), "-l", "ERROR", "-n", container(name), "-r", snapshotName(snapshot)],
    context,
  );

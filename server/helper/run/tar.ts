import path from "node:path";
import { TAR_LIST_ARGS } from "../tar-listing";
import { runCommand } from "../commands";
import type { TOperationContext } from "../operation";

/**
 * GNU tar for root filesystem archives, as job commands (streamed, cancellable): the listing that
 * server/helper/tar-listing.ts checks before anything is unpacked, and the unpacking into a container's rootfs.
 * Paths are absolute (so never read as options) and resolved by the caller.
 */
const LIST_TIMEOUT_MS = 10 * 60 * 1000;
const EXTRACT_TIMEOUT_MS = 30 * 60 * 1000;
/** A listing is read whole (a truncated one would hide members from the check): a large rootfs lists ~100 MB. */
const LIST_MAX_BYTES = 256 * 1024 * 1024;

const absolute = (what: string, value: string) => {
  if (!path.isAbsolute(value) || path.normalize(value) !== value || value.includes("\0"))
    throw new Error(`tar: the ${what} must be a plain absolute path, not ${JSON.stringify(value)}`);
  return value;
};

export const listArchive = (archive: string, context: TOperationContext) =>
  runCommand("tar", [...TAR_LIST_ARGS, absolute("archive", archive)], context, {
    timeoutMs: LIST_TIMEOUT_MS,
    maxOutputBytes: LIST_MAX_BYTES,
    package: "tar",
  });

/** Unpacks as root with owners, modes and extended attributes; `strip` drops a leading rootfs/ directory. */
export const extractArchive = (
  archive: string,
  rootfs: string,
  { strip }: { strip: number },
  context: TOperationContext,
) => {
  if (strip !== 0 && strip !== 1) throw new Error(`tar: strip must be 0 or 1, not ${strip}`);
  return runCommand(
    "tar",
    [
      ...["--numeric-owner", "--xattrs", "-xpf", absolute("archive", archive)],
      ...["-C", absolute("root filesystem", rootfs)],
      ...(strip ? ["--strip-components=1"] : []),
    ],
    context,
    { timeoutMs: EXTRACT_TIMEOUT_MS, package: "tar" },
  );
};

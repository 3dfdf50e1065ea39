import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { ZRootfs } from "../../schemas/create-container";
import { ZSnapshotName } from "../../schemas/snapshot-name";
import { op } from "./define";

/**
 * The long commands of jobs (lxc-create -t debian, lxc-copy, lxc-snapshot, tar), as streaming operations: the web
 * tier's job runner (server/jobs/jobs.ts) records the items (the command's process group, then its lines) and
 * cancels through the call, which kills the command's whole process group. The helper picks the program, its
 * arguments and its environment from the typed input.
 *
 * Timeouts: each command has a limit of its own (the helper's runner: 30 min for lxc-create, lxc-copy, lxc-snapshot
 * and tar's unpacking, 10 min for tar's listing); an operation's is the sum over the commands it runs, with five
 * minutes more for the checks and writes around them.
 */
const MINUTE = 60 * 1000;
const ZTicket = z.string().max(4096);

/**
 * The most of a line an item carries (server/helper/commands.ts cuts longer ones, saying so): a tar listing's line
 * is as long as its member's name, which a PAX header can make megabytes long. The helper's own checks read the
 * command's whole output, not the items.
 */
export const WIRE_LINE_CHARS = 8 * 1024;

/** Each item of a job's stream: the command's process group once it runs, then each line it prints, in order. */
export const ZJobItem = z.union([
  z.object({ pgid: z.number().int() }).strict(),
  z.object({ line: z.string().max(WIRE_LINE_CHARS), stream: z.enum(["stdout", "stderr"]) }).strict(),
]);
export type TJobItem = z.infer<typeof ZJobItem>;

/** A command's end: its exit code and what it printed (bounded by the runner). */
/**
 * What a job's result carries of its command's output: the last characters only (every line went as an item
 * already), so that a result stays far below a protocol line's limit.
 */
export const WIRE_OUTPUT_CHARS = 64 * 1024;
/** The setuid members an unpacking's result names (with their count). */
export const WIRE_SETUID_MEMBERS = 100;

export const ZCommandResult = z.object({
  exitCode: z.number().int(),
  stdout: z.string().max(WIRE_OUTPUT_CHARS),
  stderr: z.string().max(WIRE_OUTPUT_CHARS),
});
export type TCommandResult = z.infer<typeof ZCommandResult>;

/** A member of an archive as tar's listing shows it (server/helper/tar-listing.ts's TTarMember). */
const ZTarMember = z.object({
  type: z.string(),
  permissions: z.string(),
  device: z.string().nullable(),
  /** Its path inside the root filesystem. */
  name: z.string(),
  link: z.string().nullable(),
});

export const ZUnpackResult = ZCommandResult.extend({
  /** Why the archive was refused before anything was unpacked (its listing's check), or null. */
  problem: z.string().nullable(),
  /** Its first setuid and setgid members, and how many there are. */
  setuid: z.array(ZTarMember).max(WIRE_SETUID_MEMBERS),
  setuidCount: z.number().int().nonnegative(),
  /** Whether their bits were kept (an admin's choice) rather than cleared. */
  keptSetuid: z.boolean(),
});
export type TUnpackResult = z.infer<typeof ZUnpackResult>;

export const jobsContract = {
  createDebian: op({
    input: z.object({ name: ZContainerName, rootfs: ZRootfs.options[1] }).strict(),
    output: ZCommandResult,
    item: ZJobItem,
    timeoutMs: 35 * MINUTE,
    summary:
      "A Debian container by LXC's debian template (debootstrap, Debian's keyring pinned), marked as being made",
  }),
  copy: op({
    input: z.object({ source: ZContainerName, name: ZContainerName, snapshot: z.boolean() }).strict(),
    output: ZCommandResult,
    item: ZJobItem,
    timeoutMs: 35 * MINUTE,
    summary:
      "A copy of a stopped container, full or an overlay snapshot clone (lxc-copy -K; the clone hooks' paths checked first)",
  }),
  unpackTarball: op({
    input: z
      .object({
        path: z.string().max(4096).startsWith("/"),
        name: ZContainerName,
        keepSetuid: z.boolean().optional(),
        ticket: ZTicket.optional(),
      })
      .strict(),
    output: ZUnpackResult,
    item: ZJobItem,
    ticket: "when",
    ticketWhen:
      "keepSetuid is asked: an archive's setuid and setgid bits are kept only on an admin's ticket (refused before anything is unpacked)",
    timeoutMs: 45 * MINUTE,
    summary:
      "An archive of an import directory, listed and checked, then unpacked into a container being made; setuid bits cleared",
  }),
  snapshot: op({
    input: z.object({ name: ZContainerName, comment: z.string().max(2000).optional() }).strict(),
    output: ZCommandResult,
    item: ZJobItem,
    timeoutMs: 35 * MINUTE,
    summary:
      "A snapshot of a stopped container (lxc-snapshot, with its comment; the clone hooks' paths checked first)",
  }),
  restoreSnapshot: op({
    input: z
      .object({
        name: ZContainerName,
        snapshot: ZSnapshotName,
        newName: ZContainerName.optional(),
        ticket: ZTicket.optional(),
      })
      .strict(),
    output: ZCommandResult,
    item: ZJobItem,
    ticket: "when",
    ticketWhen:
      "the snapshot's config would bring back admin-only lines an admin has since taken out of the container's config",
    timeoutMs: 35 * MINUTE,
    summary:
      "A snapshot restored in place (lxc-snapshot -r) or as a new container (lxc-copy -K of the snapshot)",
  }),
  settle: op({
    input: z.object({}).strict(),
    output: z.object({ settled: z.boolean() }),
    timeoutMs: 30 * 1000,
    summary:
      "Waits (10 s at most) until no job command runs: a web tier that died left commands being killed",
  }),
};

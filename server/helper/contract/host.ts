import { z } from "zod";
import { op } from "./define";
import { ZOptionalTicket } from "./ticket";

/**
 * Whether this host can run containers, as root sees it (server/helper/operations/host.ts): lxc-checkconfig's
 * report (kernel options, cgroup mounts, the id-map tools), the cgroup layout and the controllers containers get,
 * root's lines in /etc/subuid and /etc/subgid, AppArmor, seccomp, overlayfs, the default config's bridge, the
 * lxcpath's free space and inodes, lxc-monitord. Each check names what it saw; the page words what a problem breaks
 * and its fix from the check's key (the catalogue "readiness", checks.<key>). A fix the helper can make itself
 * (ZSafeFixId) is listed with exactly what it changes, and made only on an admin's ticket.
 */
const SECOND = 1000;

/** The fixes the helper makes itself: root's pool lines appended to /etc/subuid and /etc/subgid. */
export const ZSafeFixId = z.enum(["subids"]);
export type TSafeFixId = z.infer<typeof ZSafeFixId>;

export const ZReadinessGroup = z.enum([
  "kernel",
  "cgroups",
  "ids",
  "security",
  "network",
  "storage",
  "services",
]);
export type TReadinessGroup = z.infer<typeof ZReadinessGroup>;

/** ok, info (worth knowing, breaks nothing Atelier does), warning (a feature will not work), problem (containers or a main feature cannot work). */
export const ZReadinessStatus = z.enum(["ok", "info", "warning", "problem"]);
export type TReadinessStatus = z.infer<typeof ZReadinessStatus>;

/** What to do by hand: a command to run as root, a line to add to a file, or a kernel option to boot with. */
export const ZReadinessFix = z.object({
  kind: z.enum(["command", "line", "kernelConfig"]),
  text: z.string().max(2000),
  file: z.string().max(4096).nullable(),
});
export type TReadinessFix = z.infer<typeof ZReadinessFix>;

export const ZReadinessCheck = z.object({
  /** Stable: "kernel.veth-pair-device", "subids", "default-bridge"... */
  id: z.string().max(200),
  group: ZReadinessGroup,
  status: ZReadinessStatus,
  /** Its name as the tool printed it ("Veth pair device"), or ours (English). */
  label: z.string().max(500),
  /** What was seen, as printed or read ("enabled", "missing", "v2", "lxcbr0"). */
  seen: z.string().max(2000),
  /** Where the page finds its title and what it breaks: readiness.checks.<key>; "other" for lines it does not know. */
  key: z.string().regex(/^[A-Za-z0-9]+$/),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  fix: ZReadinessFix.nullable(),
  /** A fix the helper makes on an admin's click, with what it will change, word for word. */
  safeFix: z.object({ id: ZSafeFixId, changes: z.array(z.string().max(5000)).max(10) }).nullable(),
});
export type TReadinessCheck = z.infer<typeof ZReadinessCheck>;

export const ZHostReadiness = z.object({
  kernel: z.string().max(500),
  lxcVersion: z.string().max(100).nullable(),
  cgroup: z.object({
    layout: z.enum(["v1", "hybrid", "v2", "none"]),
    /** What a container's group gets: v1, the mounted controllers; v2, the root's cgroup.controllers. */
    controllers: z.array(z.string().max(100)).max(100),
  }),
  checks: z.array(ZReadinessCheck).max(500),
});
export type THostReadiness = z.infer<typeof ZHostReadiness>;

export const hostContract = {
  readiness: op({
    input: z.object({}).strict(),
    output: ZHostReadiness,
    // lxc-checkconfig (a shell script: zcat of the kernel config, lsmod) and a few reads.
    timeoutMs: 45 * SECOND,
    summary:
      "Whether this host can run containers: lxc-checkconfig's report parsed into checks, the cgroup layout and controllers, root's subuid/subgid lines, AppArmor, seccomp, overlayfs, the default config's bridge, the lxcpath's space and inodes, lxc-monitord",
  }),
  fix: op({
    input: z.object({ id: ZSafeFixId, ticket: ZOptionalTicket }).strict(),
    output: z.object({ id: ZSafeFixId, changed: z.array(z.string().max(5000)).max(10) }),
    ticket: "always",
    timeoutMs: 15 * SECOND,
    summary:
      "Makes one of the readiness page's safe fixes on an admin's ticket (subids: appends root's pool line to /etc/subuid and /etc/subgid where missing)",
  }),
};

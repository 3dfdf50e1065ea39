import type { DEBIAN_ARCHES, DEBIAN_RELEASES } from "@/server/schemas/create-container";

/**
 * The creation wizard's draft: plain strings, as the fields hold them, so a half-typed number or a blank field is
 * never lost to a conversion. `toForm` turns it into the procedure's input, which the procedure's own schema then
 * checks (on the page and again on the server); `fromForm` brings a saved type back into a draft.
 */
export type TDraft = {
  kind: "busybox" | "import" | "debian" | "tarball" | "clone";
  release: string;
  arch: string;
  mirror: string;
  packages: string;
  path: string;
  source: string;
  overlay: boolean;
  hasNetwork: boolean;
  bridge: string;
  mode: "dhcp" | "static";
  ipv4: string;
  gateway: string;
  memoryMiB: string;
  cpuShares: string;
  cpuset: string;
  pids: string;
  autostart: boolean;
  order: string;
  delay: string;
  groups: string;
  rootPassword: string;
  sshKey: string;
  /** A privileged container (an admin's choice), or null for the host's default (the page shows which). */
  privileged: boolean | null;
};

export const emptyDraft: TDraft = {
  kind: "busybox",
  release: "bookworm",
  arch: "amd64",
  mirror: "http://deb.debian.org/debian",
  packages: "",
  path: "",
  source: "",
  overlay: false,
  hasNetwork: false,
  bridge: "",
  mode: "dhcp",
  ipv4: "",
  gateway: "",
  memoryMiB: "",
  cpuShares: "",
  cpuset: "",
  pids: "",
  autostart: false,
  order: "",
  delay: "",
  groups: "",
  rootPassword: "",
  sshKey: "",
  privileged: null,
};

/** The draft after a field's change (the fields report only what they change). */
export const updateDraft = (draft: TDraft, change: Partial<TDraft>): TDraft => ({ ...draft, ...change });

// A blank field is "not given", never 0: the schema's minimums would otherwise refuse what was left empty.
const number = (value: string) => (value.trim() === "" ? undefined : Number(value));
const list = (value: string) =>
  value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);

/** The form (everything but the name) as the API takes it. */
export const toForm = (draft: TDraft) => {
  const rootfs =
    draft.kind === "debian"
      ? {
          kind: "debian" as const,
          release: draft.release as (typeof DEBIAN_RELEASES)[number],
          arch: draft.arch as (typeof DEBIAN_ARCHES)[number],
          mirror: draft.mirror.trim(),
          packages: list(draft.packages),
        }
      : draft.kind === "tarball"
        ? { kind: "tarball" as const, path: draft.path.trim() }
        : draft.kind === "clone"
          ? { kind: "clone" as const, source: draft.source, snapshot: draft.overlay }
          : { kind: "busybox" as const };
  const limits = {
    memoryMiB: number(draft.memoryMiB),
    cpuShares: number(draft.cpuShares),
    cpuset: draft.cpuset.trim() || undefined,
    pids: number(draft.pids),
  };
  const hasLimits = Object.values(limits).some((value) => value !== undefined);
  return {
    rootfs,
    ...(draft.hasNetwork
      ? {
          network: {
            bridge: draft.bridge,
            mode: draft.mode,
            ...(draft.mode === "static"
              ? {
                  ipv4: draft.ipv4.trim(),
                  ...(draft.gateway.trim() ? { gateway: draft.gateway.trim() } : {}),
                }
              : {}),
          },
        }
      : {}),
    ...(hasLimits ? { limits } : {}),
    ...(draft.autostart
      ? {
          autostart: {
            enabled: true,
            order: number(draft.order),
            delay: number(draft.delay),
            groups: list(draft.groups),
          },
        }
      : {}),
    // Said only when chosen: unset, the server makes the host's default (ATELIER_UNPRIVILEGED) for an admin.
    ...(draft.privileged === null ? {} : { privileged: draft.privileged }),
    ...(draft.rootPassword || draft.sshKey.trim()
      ? {
          access: {
            ...(draft.rootPassword ? { rootPassword: draft.rootPassword } : {}),
            ...(draft.sshKey.trim() ? { sshKey: draft.sshKey.trim() } : {}),
          },
        }
      : {}),
  };
};

/** A saved form back into a draft (a type chosen in the wizard). A type never holds a root password. */
export const fromForm = (form: Record<string, unknown>): TDraft => {
  const rootfs = (form.rootfs ?? { kind: "busybox" }) as Record<string, unknown>;
  const network = form.network as Record<string, string> | undefined;
  const limits = (form.limits ?? {}) as Record<string, number | string | undefined>;
  const autostart = form.autostart as
    { enabled: boolean; order?: number; delay?: number; groups?: string[] } | undefined;
  const access = (form.access ?? {}) as Record<string, string | undefined>;
  const text = (value: unknown) =>
    typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
  return {
    ...emptyDraft,
    kind: rootfs.kind as TDraft["kind"],
    release: text(rootfs.release) || emptyDraft.release,
    arch: text(rootfs.arch) || emptyDraft.arch,
    mirror: text(rootfs.mirror) || emptyDraft.mirror,
    packages: Array.isArray(rootfs.packages) ? rootfs.packages.join(", ") : "",
    path: text(rootfs.path),
    source: text(rootfs.source),
    overlay: rootfs.snapshot === true,
    hasNetwork: network !== undefined,
    bridge: text(network?.bridge),
    mode: network?.mode === "static" ? "static" : "dhcp",
    ipv4: text(network?.ipv4),
    gateway: text(network?.gateway),
    memoryMiB: text(limits.memoryMiB),
    cpuShares: text(limits.cpuShares),
    cpuset: text(limits.cpuset),
    pids: text(limits.pids),
    autostart: autostart?.enabled ?? false,
    order: text(autostart?.order),
    delay: text(autostart?.delay),
    groups: (autostart?.groups ?? []).join(", "),
    sshKey: text(access.sshKey),
    privileged: typeof form.privileged === "boolean" ? form.privileged : null,
  };
};

/** A schema's issues as field path → message, the shape the sections show errors in. */
export const errorsOf = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) =>
  Object.fromEntries(issues.map((issue) => [issue.path.join("."), issue.message]));

/**
 * The first error among a field's paths: a list field (packages, groups) has one path per entry
 * (`rootfs.packages.2`), and shows whichever comes first.
 */
export const errorUnder = (errors: Record<string, string>, prefix: string) =>
  Object.entries(errors).find(([key]) => key.startsWith(prefix))?.[1] ?? null;

/**
 * The values of the summary's sentence (`creation.summary.sentence`, a select on each): the name, what the root
 * filesystem is, which access is set up, and whether it is privileged. The catalogue words them in the page's language.
 */
export const summaryValues = (name: string, draft: TDraft) => ({
  named: name ? "yes" : "no",
  name,
  kind: draft.kind,
  release: draft.release,
  arch: draft.arch,
  cloneOf: draft.kind === "clone" && draft.source ? (draft.overlay ? "overlay" : "full") : "none",
  source: draft.source,
  password: draft.rootPassword ? "yes" : "no",
  sshKey: draft.sshKey ? "yes" : "no",
  privileged: draft.privileged ? "yes" : "no",
});

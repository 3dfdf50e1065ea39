import { z } from "zod";
import { ZContainerName } from "./container-name";
import { customIssue, says } from "./issue-words";
import { hasControl } from "./lxc-config/model";
import { ZConfigText } from "./lxc-config/text";
import { ZInterfaceName, ZIpv4, ZIpv4Cidr } from "./network";

/**
 * What a new container is made of: a root filesystem from one of the providers, and optionally its network, limits,
 * autostart and access. Pure zod: the creation wizard validates its fields with these very schemas.
 */
export const DEBIAN_RELEASES = ["bookworm", "bullseye", "trixie"] as const;
/** amd64 hosts run i386 userlands too (the seed's "32-bit userland on a 64-bit host"). */
export const DEBIAN_ARCHES = ["amd64", "i386"] as const;

export const ZMirrorUrl = z
  .string()
  .max(200, says("validation.creation.mirrorTooLong"))
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%/-]*)?$/, says("validation.creation.mirror"));
const ZPackageName = z.string().regex(/^[a-z0-9][a-z0-9+.-]{0,63}$/, says("validation.creation.packageName"));
const ZAbsolutePath = z
  .string()
  .max(4096)
  .refine(
    (value) => value.startsWith("/") && !hasControl(value) && !value.split("/").includes(".."),
    says("validation.creation.absolutePath"),
  );

const ZBusybox = z.object({ kind: z.literal("busybox") }).strict();
const ZDebianRootfs = z
  .object({
    kind: z.literal("debian"),
    release: z.enum(DEBIAN_RELEASES).default("bookworm"),
    arch: z.enum(DEBIAN_ARCHES).default("amd64"),
    mirror: ZMirrorUrl.default("http://deb.debian.org/debian"),
    /** Installed on top of the minimal system (the template's own set). */
    packages: z.array(ZPackageName).max(50, says("validation.creation.tooManyPackages")).default([]),
  })
  .strict();
const ZTarballRootfs = z
  .object({
    kind: z.literal("tarball"),
    /** A .tar, .tar.gz, .tgz or .tar.xz of a root filesystem, inside one of the allowed import directories. */
    path: ZAbsolutePath.refine(
      (value) => /\.(tar|tar\.gz|tgz|tar\.xz|txz)$/.test(value),
      says("validation.creation.tarball"),
    ),
    /** Keep the archive's setuid and setgid bits (admins only; stripped otherwise). */
    keepSetuid: z.boolean().default(false),
  })
  .strict();
const ZCloneRootfs = z
  .object({
    kind: z.literal("clone"),
    source: ZContainerName,
    /** An overlay snapshot clone (copy-on-write, near instant) instead of a full copy. */
    snapshot: z.boolean().default(false),
  })
  .strict();
const ZConfigRootfs = z
  .object({
    kind: z.literal("config"),
    /** An imported config (its rootfs path and hostname set to the new container's), on a busybox root filesystem. */
    raw: ZConfigText,
  })
  .strict();
/** The root filesystems a creation form (the wizard, a type) offers. */
export const ZFormRootfs = z.discriminatedUnion("kind", [
  ZBusybox,
  ZDebianRootfs,
  ZTarballRootfs,
  ZCloneRootfs,
]);
/** Every root filesystem provider's: the form's, and an imported config (config.importAsNew). */
export const ZRootfs = z.discriminatedUnion("kind", [
  ZBusybox,
  ZDebianRootfs,
  ZTarballRootfs,
  ZCloneRootfs,
  ZConfigRootfs,
]);
export type TRootfs = z.input<typeof ZRootfs>;

export const ZNetworkOptions = z
  .object({
    bridge: ZInterfaceName,
    mode: z.enum(["dhcp", "static"]).default("dhcp"),
    ipv4: ZIpv4Cidr.optional(),
    gateway: ZIpv4.optional(),
  })
  .strict()
  .superRefine((value, context) => {
    if (value.mode === "static" && !value.ipv4)
      context.addIssue({ ...customIssue("validation.creation.staticNeedsAddress"), path: ["ipv4"] });
    if (value.mode === "dhcp" && (value.ipv4 || value.gateway))
      context.addIssue({ ...customIssue("validation.creation.onlyStatic"), path: ["ipv4"] });
  });

export const ZLimits = z
  .object({
    memoryMiB: z.number().int().min(16, says("validation.creation.memory")).max(1_048_576).optional(),
    cpuShares: z.number().int().min(2, says("validation.creation.cpuShares")).max(262_144).optional(),
    cpuset: z
      .string()
      .regex(/^\d{1,4}(-\d{1,4})?(,\d{1,4}(-\d{1,4})?)*$/, says("validation.creation.cpuset"))
      .optional(),
    pids: z.number().int().min(10, says("validation.creation.pids")).max(4_194_304).optional(),
  })
  .strict();

export const ZAutostart = z
  .object({
    enabled: z.boolean(),
    order: z.number().int().min(-1000).max(1000).optional(),
    delay: z.number().int().min(0).max(3600).optional(),
    groups: z
      .array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, says("validation.creation.groups")))
      .max(20)
      .default([]),
  })
  .strict();

export const ZAccess = z
  .object({
    rootPassword: z
      .string()
      .min(8, says("validation.creation.rootPassword"))
      .max(128)
      .refine((value) => !hasControl(value), says("validation.text.noControl"))
      .optional(),
    sshKey: z
      .string()
      .max(16_384)
      .regex(
        /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+=*( [^\r\n]*)?$/,
        says("validation.creation.sshKey"),
      )
      .optional(),
  })
  .strict();

/** Everything but the name: what a type (a saved creation form) holds. */
export const ZCreateForm = z
  .object({
    rootfs: ZRootfs,
    network: ZNetworkOptions.optional(),
    limits: ZLimits.optional(),
    autostart: ZAutostart.optional(),
    access: ZAccess.optional(),
    /**
     * A privileged container (no id map: its root is the host's root), an admin's choice; unset, the container is
     * unprivileged (unless ATELIER_UNPRIVILEGED=0 and an admin makes it).
     */
    privileged: z.boolean().optional(),
  })
  .strict();
export type TCreateForm = z.input<typeof ZCreateForm>;

/** The wizard's form (what a type holds, what the preview takes): any root filesystem but an imported config. */
export const ZWizardForm = ZCreateForm.extend({ rootfs: ZFormRootfs }).strict();

export const ZCreateContainerRequestSchema = z
  .object({
    name: ZContainerName,
    /** The foundation's form: `{ name, template: "busybox" }` (runs as a job too, and waits for it). */
    template: z.literal("busybox", says("validation.creation.busyboxOnly")).optional(),
    rootfs: ZRootfs.optional(),
    network: ZNetworkOptions.optional(),
    limits: ZLimits.optional(),
    autostart: ZAutostart.optional(),
    access: ZAccess.optional(),
    privileged: z.boolean().optional(),
  })
  .strict()
  .superRefine((value, context) => {
    if (!value.template && !value.rootfs)
      context.addIssue({ ...customIssue("validation.creation.chooseRootfs"), path: ["rootfs"] });
    if (value.template && value.rootfs)
      context.addIssue({ ...customIssue("validation.creation.templateOrRootfs"), path: ["template"] });
  });
export type TCreateContainerRequest = z.input<typeof ZCreateContainerRequestSchema>;

export const ZCreateContainerResponseSchema = z.object({ name: z.string(), jobId: z.string() });

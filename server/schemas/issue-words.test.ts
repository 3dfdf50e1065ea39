import { createTranslator } from "use-intl/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { wordIssue, type TTranslator } from "@/components/i18n/use-validation-words";
import { ZRole } from "../auth/roles";
import { MESSAGES } from "../i18n/messages";
import { englishOf } from "../i18n/validation-words";
import { ZContainerName } from "./container-name";
import {
  ZAccess,
  ZAutostart,
  ZCreateContainerRequestSchema,
  ZLimits,
  ZMirrorUrl,
  ZNetworkOptions,
  ZRootfs,
} from "./create-container";
import { ZNewPassword, ZPassword, ZUsername } from "./credentials";
import { customIssue, issueWords, says } from "./issue-words";
import { ZConfigText } from "./lxc-config/text";
import { DEFAULT_NAT, ZNatConfig } from "./nat";
import { ZInterfaceName, ZIpv4, ZIpv4Cidr } from "./network";
import { ZNetworkChange } from "./network-change";
import { ZSnapshotName } from "./snapshot-name";
import { ZUploadName } from "./upload-name";

const fr = createTranslator({ locale: "fr", messages: MESSAGES.fr }) as unknown as TTranslator;
const en = createTranslator({ locale: "en", messages: MESSAGES.en }) as unknown as TTranslator;

/** The first issue of a value a schema refuses. */
const firstIssue = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  expect(result.success, JSON.stringify(value)?.slice(0, 80)).toBe(false);
  const [issue] = result.error?.issues ?? [];
  if (!issue) throw new Error("no issue");
  return issue;
};

describe("a schema's message from the catalogue", () => {
  const schema = z.object({
    text: z
      .string(says("validation.containerName.empty"))
      .min(1, says("validation.containerName.empty"))
      .max(3, says("validation.text.atMost", { max: 3 }))
      .regex(/^x/, says("validation.containerName.start"))
      .refine((value) => value !== "xx", says("validation.text.noControl")),
    role: z.enum(["a", "b"], says("validation.users.role")),
    pair: z
      .object({ a: z.number(), b: z.number() })
      .superRefine((value, context) => {
        if (value.a > value.b)
          context.addIssue({
            ...customIssue("validation.network.insideNetwork", { network: "n" }),
            path: ["b"],
          });
      })
      .optional(),
  });

  it.each([
    ["a type", { text: 1, role: "a" }, "invalid_type", "validation.containerName.empty", {}],
    ["an enum", { text: "x", role: "c" }, "invalid_value", "validation.users.role", {}],
    ["a minimum", { text: "", role: "a" }, "too_small", "validation.containerName.empty", {}],
    [
      "a maximum, with its value",
      { text: "xxxx", role: "a" },
      "too_big",
      "validation.text.atMost",
      { max: 3 },
    ],
    ["a pattern", { text: "y", role: "a" }, "invalid_format", "validation.containerName.start", {}],
    ["a refinement", { text: "xx", role: "a" }, "custom", "validation.text.noControl", {}],
    [
      "a superRefine's issue",
      { text: "x", role: "a", pair: { a: 2, b: 1 } },
      "custom",
      "validation.network.insideNetwork",
      { network: "n" },
    ],
  ])("carries its id and values on %s, zod's code kept", (_label, value, code, id, params) => {
    const issue = firstIssue(schema, value);
    expect(issue.code).toBe(code);
    expect(issueWords(issue)).toEqual({ id, params });
    expect(englishOf({ id, params })).toBe(issue.message);
  });

  it("leaves zod's own messages without words", () => {
    const issue = firstIssue(z.string().max(1), "xx");
    expect(issueWords(issue)).toBeNull();
    expect(wordIssue(fr, issue)).toBe(issue.message);
  });
});

const long = (length: number) => "a".repeat(length);
const goodNat = DEFAULT_NAT;

/** Every message the shared schemas write, in English as the API has always answered it, and its sentence. */
const CASES: [string, z.ZodType, unknown, string, string][] = [
  ["a container name's type", ZContainerName, 42, "Enter a container name", "containerName.empty"],
  ["an empty container name", ZContainerName, "", "Enter a container name", "containerName.empty"],
  ["a long container name", ZContainerName, long(64), "Use at most 63 characters", "text.atMost"],
  [
    "a container name's start",
    ZContainerName,
    "-n",
    "Start with a letter or a digit (not '-', '.' or '_')",
    "containerName.start",
  ],
  [
    "a container name's characters",
    ZContainerName,
    "a b",
    "Use only letters, digits, '-', '_' and '.' (no spaces, '/' or other symbols)",
    "containerName.characters",
  ],
  ["a username's type", ZUsername, 1, "Enter a username", "credentials.enterUsername"],
  ["a short username", ZUsername, "a", "Use at least 2 characters", "text.atLeast"],
  ["a long username", ZUsername, long(33), "Use at most 32 characters", "text.atMost"],
  [
    "a username's characters",
    ZUsername,
    "Ab",
    "Use lowercase letters, digits, '.', '_' and '-', starting with a letter",
    "credentials.username",
  ],
  ["a new password's type", ZNewPassword, 1, "Enter a password", "credentials.enterPassword"],
  ["a short new password", ZNewPassword, "short", "Use at least 10 characters", "text.atLeast"],
  ["a long new password", ZNewPassword, long(257), "Use at most 256 characters", "text.atMost"],
  ["an empty password", ZPassword, "", "Enter your password", "credentials.enterYourPassword"],
  ["a role", ZRole, "root", "Choose viewer, operator or admin", "users.role"],
  [
    "an interface name",
    ZInterfaceName,
    "-x",
    "must be an interface name: 1-15 letters, digits, '_', '.', '-'",
    "network.interfaceName",
  ],
  ["an IPv4 address", ZIpv4, "x", "must be an IPv4 address", "network.ipv4"],
  [
    "an IPv4 address with its prefix",
    ZIpv4Cidr,
    "10.0.0.1",
    "must be an IPv4 address with its prefix, such as 10.0.3.10/24",
    "values.ipv4Cidr",
  ],
  ["a snapshot name", ZSnapshotName, "x", "must be a snapshot name such as snap0", "containers.snapshotName"],
  ["an upload's name", ZUploadName, "x", "not an upload's name", "containers.uploadName"],
  [
    "a large config",
    ZConfigText,
    long(256 * 1024 + 1),
    "a config of more than 256 KiB is not a container config",
    "configText.tooLarge",
  ],
  ["a config's NUL byte", ZConfigText, "a\0", "must not contain a NUL byte", "configText.nul"],
  [
    "a long config",
    ZConfigText,
    "\n".repeat(10_000),
    "must have at most 10000 lines",
    "configText.tooManyLines",
  ],
  [
    "a config's long line",
    ZConfigText,
    long(4097),
    "must not have a line longer than 4096 characters",
    "configText.lineTooLong",
  ],
  [
    "the NAT network's address",
    ZNatConfig,
    { ...goodNat, address: "10.0.4.1/8" },
    "must be an IPv4 address with a prefix from /16 to /30, such as 10.0.4.1/24",
    "network.natAddress",
  ],
  [
    "a DHCP range outside the network",
    ZNatConfig,
    { ...goodNat, dhcpStart: "10.0.5.2" },
    "must be inside 10.0.4.0/24",
    "network.insideNetwork",
  ],
  [
    "a DHCP range on the bridge's address",
    ZNatConfig,
    { ...goodNat, dhcpStart: "10.0.4.1" },
    "must not be the bridge's own address",
    "network.notBridgeAddress",
  ],
  [
    "a DHCP range backwards",
    ZNatConfig,
    { ...goodNat, dhcpStart: "10.0.4.200", dhcpEnd: "10.0.4.100" },
    "must not come before the start of the range",
    "network.rangeOrder",
  ],
  [
    "a host address",
    ZNetworkChange,
    { op: "address.add", dev: "br0", cidr: "10.0.0.1" },
    "must be an address with its prefix, such as 192.0.2.10/24",
    "network.cidr",
  ],
  [
    "a default route",
    ZNetworkChange,
    { op: "route.default", via: "x", dev: "br0" },
    "must be an IP address",
    "network.ip",
  ],
  [
    "a long mirror",
    ZMirrorUrl,
    `http://${long(200)}`,
    "must be at most 200 characters",
    "creation.mirrorTooLong",
  ],
  [
    "a mirror",
    ZMirrorUrl,
    "ftp://x",
    "must be an http(s) URL such as http://deb.debian.org/debian, without spaces, quotes or shell characters",
    "creation.mirror",
  ],
  [
    "a package name",
    ZRootfs,
    { kind: "debian", packages: ["A"] },
    "must be Debian package names (lower case letters, digits, + . -)",
    "creation.packageName",
  ],
  [
    "too many packages",
    ZRootfs,
    { kind: "debian", packages: Array.from({ length: 51 }, (_, index) => `p${index}`) },
    "at most 50 packages",
    "creation.tooManyPackages",
  ],
  [
    "a tarball's path",
    ZRootfs,
    { kind: "tarball", path: "/srv/../x.tar" },
    "must be an absolute path on the host, without '..' or control characters",
    "creation.absolutePath",
  ],
  [
    "a tarball's kind",
    ZRootfs,
    { kind: "tarball", path: "/srv/x.zip" },
    "must be a .tar, .tar.gz, .tgz or .tar.xz file",
    "creation.tarball",
  ],
  [
    "a static network without its address",
    ZNetworkOptions,
    { bridge: "br0", mode: "static" },
    "a static address is needed",
    "creation.staticNeedsAddress",
  ],
  [
    "a DHCP network with an address",
    ZNetworkOptions,
    { bridge: "br0", mode: "dhcp", ipv4: "10.0.3.2/24" },
    "only with a static address",
    "creation.onlyStatic",
  ],
  ["a memory limit", ZLimits, { memoryMiB: 8 }, "at least 16 MiB", "creation.memory"],
  ["CPU shares", ZLimits, { cpuShares: 1 }, "at least 2", "creation.cpuShares"],
  ["a CPU set", ZLimits, { cpuset: "x" }, "must be CPUs such as 0-1 or 0,2", "creation.cpuset"],
  ["a process limit", ZLimits, { pids: 5 }, "at least 10", "creation.pids"],
  [
    "autostart groups",
    ZAutostart,
    { enabled: true, groups: ["a b"] },
    "must be group names (letters, digits, _ . -)",
    "creation.groups",
  ],
  [
    "a short root password",
    ZAccess,
    { rootPassword: "short" },
    "at least 8 characters",
    "creation.rootPassword",
  ],
  [
    "a root password's control characters",
    ZAccess,
    { rootPassword: "password\n" },
    "must not contain control characters",
    "text.noControl",
  ],
  [
    "an SSH key",
    ZAccess,
    { sshKey: "x" },
    "must be one OpenSSH public key line, such as ssh-ed25519 AAAA… you@host",
    "creation.sshKey",
  ],
  [
    "a template",
    ZCreateContainerRequestSchema,
    { name: "web", template: "debian" },
    "Only the busybox template is available this way",
    "creation.busyboxOnly",
  ],
  [
    "no root filesystem",
    ZCreateContainerRequestSchema,
    { name: "web" },
    "choose a root filesystem",
    "creation.chooseRootfs",
  ],
  [
    "a template and a root filesystem",
    ZCreateContainerRequestSchema,
    { name: "web", template: "busybox", rootfs: { kind: "busybox" } },
    "give either template or rootfs, not both",
    "creation.templateOrRootfs",
  ],
];

describe("the shared schemas' messages", () => {
  it.each(CASES)(
    "%s: the English as ever, worded from its sentence",
    (_label, schema, value, english, id) => {
      const issue = firstIssue(schema, value);
      expect(issue.message).toBe(english);
      const words = issueWords(issue);
      expect(words?.id).toBe(`validation.${id}`);
      expect(words && englishOf(words)).toBe(english);
      expect(wordIssue(en, issue)).toBe(english);
      expect(wordIssue(fr, issue)).not.toBe(english);
    },
  );

  it("words a value inside the sentence in French", () => {
    const issue = firstIssue(ZNatConfig, { ...goodNat, dhcpEnd: "10.0.5.9" });
    expect(wordIssue(fr, issue)).toBe("doit être dans 10.0.4.0/24");
    expect(wordIssue(fr, firstIssue(ZContainerName, long(64)))).toBe("Utilisez au plus 63 caractères");
  });
});

import { parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { createTranslator } from "use-intl/core";
import { describe, expect, it } from "vitest";
import { MESSAGES } from "@/server/i18n/messages";
import { KEYS, lookupKey } from "@/server/schemas/lxc-config/catalogue";
import { adminReason, lockedLines } from "@/server/schemas/lxc-config/privileges";
import { checkValue, validateConfig } from "@/server/schemas/lxc-config/validate";
import { compileTemplate, recognise, wordDescription, wordSentence, type TGroup } from "./problem-words";

const en = createTranslator({ locale: "en", messages: MESSAGES.en, namespace: "config" });
const fr = createTranslator({ locale: "fr", messages: MESSAGES.fr, namespace: "config" });

/** One sentence of each kind the validator writes. */
const LINT = [
  "lxc.uts.name = a\0b",
  "lxc.uts.name = a\rb",
  "lxc.uts.name = a\u00a0b",
  "lxc.uts.name = a\u0001b",
  "foo\u00a0bar",
  "foo\u0001",
  "lxc.uts.name",
  "foo = bar",
  "foo",
  "// a comment",
  "lxc.utsname = web",
  "lxc.rootfs.backend = dir",
  "lxc.zzzzzzzzzzzzzzzzzzzz = 1",
  "lxc.uts.nmae = web",
  "lxc.tty.max = four",
  "lxc.uts.name = a\nlxc.uts.name = b",
  "lxc.net.0.link = br0",
  "lxc.hook.pre-start = /bin/true\nlxc.environment = A=b",
].flatMap((text) => validateConfig(text).map((problem) => problem.message));
/** The validator's own check of a control character, which the divergences (earlier) always catch first. */
const UNREACHABLE = ["lint.valueControl"];

/** One sentence of each kind a value's check writes. */
const VALUES = (
  [
    ["lxc.cgroup2.memory.max", "-x"],
    ["lxc.tty.max", "010"],
    ["lxc.tty.max", "four"],
    ["lxc.start.order", "x"],
    ["lxc.ephemeral", "2"],
    ["lxc.net.0.type", "bogus"],
    ["lxc.cgroup2.memory.max", "lots"],
    ["lxc.net.0.ipv4.address", "x"],
    ["lxc.net.0.ipv6.address", "x"],
    ["lxc.net.0.ipv4.gateway", "x"],
    ["lxc.net.0.ipv6.gateway", "x"],
    ["lxc.net.0.hwaddr", "x"],
    ["lxc.cgroup2.cpuset.cpus", "x"],
    ["lxc.cgroup.devices.allow", "x"],
    ["lxc.idmap", "x"],
    ["lxc.signal.halt", "x"],
    ["lxc.uts.name", "a b"],
    ["lxc.net.0.link", "abcdefghijklmnop"],
    ["lxc.uts.name", "a".repeat(65)],
    ["lxc.group", "a".repeat(256)],
    ["lxc.cgroup.dir", "/x"],
  ] as const
).map(([key, value]) => {
  const info = lookupKey(key);
  return (info && checkValue(key, info, value)) ?? `no problem for ${key} = ${value}`;
});

const CTX = { lxcPath: "/var/lib/lxc", name: "web", bindRoots: ["/srv"] };
/** One sentence of each kind the key privileges write, line by line and on a whole config. */
const LOCKS = [
  ...(
    [
      ["lxc.hook.pre-start", "/bin/true"],
      ["lxc.net", "x"],
      ["lxc.include", ""],
      ["lxc.include", "/etc/x.conf"],
      ["lxc.rootfs.path", "dir:/srv/other"],
      ["lxc.mount.auto", ""],
      ["lxc.mount.auto", "proc:rw sys:rw"],
      ["lxc.apparmor.profile", "unconfined"],
      ["lxc.apparmor.allow_nesting", "1"],
      ["lxc.seccomp.profile", "/tmp/x"],
      ["lxc.no_new_privs", "0"],
      ["lxc.cap.drop", ""],
      ["lxc.cap.keep", "sys_admin"],
      ["lxc.console.path", "/dev/tty1"],
      ["lxc.idmap", ""],
      ["lxc.idmap", "u 0 065536 65536"],
      ["lxc.idmap", "u 0 1000 10"],
      ["lxc.idmap", "u 0 100000 99999999"],
      ["lxc.proc.oom_score_adj", "-1000"],
      ["lxc.proc.foo", "1"],
      ["lxc.prlimit.bogus", "1"],
      ["lxc.sysctl.kernel.core_pattern", "x"],
      ["lxc.cgroup.devices.deny", ""],
      ["lxc.cgroup", ""],
      ["lxc.cgroup.freezer.state", "FROZEN"],
      ["lxc.cgroup.dir", "x"],
      ["lxc.namespace.share.net", "x"],
      ["lxc.log.file", "/tmp/x"],
      ["lxc.rootfs.mount", "/x"],
      ["lxc.mount.fstab", "/x"],
      ["lxc.apparmor.raw", "x"],
      ["lxc.selinux.context", "x"],
      ["lxc.seccomp.notify.proxy", "unix:/x"],
      ["lxc.monitor.unshare", "1"],
      ["lxc.environment", ""],
      ["lxc.environment", "FOO"],
      ["lxc.environment", "1X=1"],
      ["lxc.environment", "LD_PRELOAD=/x"],
      ["lxc.net.0.script.up", "/x"],
      ["lxc.net.0.veth.ipv4.route", "10.0.0.0/8"],
      ["lxc.net.0.l2proxy", "1"],
      ["lxc.net.0.macvlan.mode", "bridge"],
      ["lxc.net.0.type", "none"],
      ["lxc.net.0.type", "phys"],
      ["lxc.net.0.type", "macvlan"],
      ["lxc.cgroup.devices.allow", ""],
      ["lxc.cgroup.devices.allow", "c 1:3 rwm extra"],
      ["lxc.cgroup.devices.allow", "a"],
      ["lxc.cgroup.devices.allow", "b 8:0 rwm"],
      ["lxc.cgroup.devices.allow", "c 4:1 rwm"],
      ["lxc.mount.entry", ""],
      ["lxc.mount.entry", "onlysource"],
      ["lxc.mount.entry", "/srv/a /abs none bind 0 0"],
      ["lxc.mount.entry", "/srv/a a none bind,create=dir 0 0"],
      ["lxc.mount.entry", "/srv/a a none bind,shared 0 0"],
      ["lxc.mount.entry", "/etc a none bind 0 0"],
      ["lxc.mount.entry", "/dev/sda1 a ext4 defaults 0 0"],
      ["lxc.mount.entry", "proc a proc defaults 0 0"],
    ] as const
  ).map(([key, value]) => adminReason(key, value, CTX) ?? `no reason for ${key} = ${value}`),
  adminReason("lxc.mount.entry", "/srv/a a none bind 0 0", { ...CTX, bindRoots: [] }) ?? "no reason",
  ...[
    "lxc.net.0.script.up = /x\nlxc.net.0.type = veth\n",
    "lxc.net.0.type = macvlan\nlxc.net.0.link = eth0\n",
    "lxc.include = /usr/share/lxc/config/userns.conf\n",
    "lxc.hook.pre-start = /x\nlxc.environment = FOO=bar\n",
  ].flatMap((text) => lockedLines(text, CTX).map((line) => line.reason)),
];

const SAMPLES: Record<TGroup, string[]> = { lint: LINT, values: VALUES, locks: LOCKS };

describe("the rules' sentences", () => {
  it.each(["lint", "values", "locks"] as const)("%s: the templates take plain arguments only", (group) => {
    for (const template of Object.values(MESSAGES.en.config[group])) {
      const elements = parse(template);
      expect(
        elements.every((element) => element.type === TYPE.literal || element.type === TYPE.argument),
      ).toBe(true);
    }
  });

  it.each(["lint", "values", "locks"] as const)(
    "%s: every sentence is recognised, said again the same in English, and in French otherwise",
    (group) => {
      const found = new Set<string>();
      for (const sentence of SAMPLES[group]) {
        const wording = recognise(group, sentence);
        expect(wording, sentence).not.toBeNull();
        found.add(wording?.key ?? "");
        expect(wordSentence(en, group, sentence)).toBe(sentence);
        expect(wordSentence(fr, group, sentence)).not.toBe(sentence);
      }
      // Every template of the group is one the rules write.
      const keys = Object.keys(MESSAGES.en.config[group]).map((key) => `${group}.${key}`);
      expect(keys.filter((key) => !found.has(key) && !UNREACHABLE.includes(key))).toEqual([]);
    },
  );

  it("says a value's problem inside its line in French too", () => {
    expect(wordSentence(fr, "lint", 'lxc.tty.max must be a whole number (0 or more) (got "four")')).toBe(
      "lxc.tty.max doit être un nombre entier (0 ou plus) (reçu «\u00a0four\u00a0»)",
    );
    expect(wordSentence(fr, "lint", "Unknown key lxc.uts.nmae: did you mean lxc.uts.name?")).toBe(
      "Clé inconnue\u00a0: lxc.uts.nmae\u00a0; vouliez-vous dire lxc.uts.name\u00a0?",
    );
  });

  it("keeps a sentence no template knows as it was written", () => {
    expect(wordSentence(fr, "lint", "liblxc says no")).toBe("liblxc says no");
    expect(recognise("locks", "Unknown key lxc.x")).toBeNull();
  });

  it("reads a name used twice in a template as the same text", () => {
    const { pattern } = compileTemplate("lxc.net.{index} has no lxc.net.{index}.type");
    expect(pattern.test("lxc.net.1 has no lxc.net.1.type")).toBe(true);
    expect(pattern.test("lxc.net.1 has no lxc.net.2.type")).toBe(false);
  });
});

describe("the keys' descriptions", () => {
  it("are the catalogue's in English, for every key", () => {
    for (const info of KEYS) expect(wordDescription(en, info)).toBe(info.description);
  });

  it("are French in French", () => {
    const same = KEYS.filter((info) => wordDescription(fr, info) === info.description).map(
      (info) => info.key,
    );
    expect(same).toEqual([]);
  });

  it("have no entry for a key the catalogue no longer has", () => {
    const ids = new Set(
      KEYS.map((info) =>
        info.key
          .replace(/^lxc\./, "")
          .replace(/\./g, "_")
          .replace(/\*$/, "any"),
      ),
    );
    const stale = Object.keys(MESSAGES.en.config.keys).filter((id) => id !== "hook" && !ids.has(id));
    expect(stale).toEqual([]);
  });
});

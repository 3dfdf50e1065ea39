import { createTranslator } from "use-intl/core";
import { describe, expect, it } from "vitest";
import { wordIn, wordProblem, type TTranslator } from "@/components/i18n/use-validation-words";
import { MESSAGES } from "@/server/i18n/messages";
import { englishOf, type TLooseWords } from "@/server/i18n/validation-words";
import { KEYS, lookupKey } from "@/server/schemas/lxc-config/catalogue";
import { adminReasonWords, lockedLines, privilegedChanges } from "@/server/schemas/lxc-config/privileges";
import { valueProblem, validateConfig } from "@/server/schemas/lxc-config/validate";
import { descriptionId, wordDescription } from "./problem-words";

/**
 * The shared config rules name each finding's sentence in the `validation` catalogue: every kind of sentence they
 * write is worded from its id and values, the same as the rule's English in English, and in French otherwise.
 */
const en = createTranslator({ locale: "en", messages: MESSAGES.en }) as unknown as TTranslator;
const fr = createTranslator({ locale: "fr", messages: MESSAGES.fr }) as unknown as TTranslator;
const config = {
  en: createTranslator({ locale: "en", messages: MESSAGES.en, namespace: "config" }),
  fr: createTranslator({ locale: "fr", messages: MESSAGES.fr, namespace: "config" }),
};

type TSample = { message: string; words: TLooseWords | undefined };

/** One problem of each kind the validator writes. */
const LINT: TSample[] = [
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
  "lxc.onboot = yes",
  "lxc.zzzzzzzzzzzzzzzzzzzz = 1",
  "lxc.uts.nmae = web",
  "lxc.tty.max = four",
  "lxc.uts.name = a\nlxc.uts.name = b",
  "lxc.net.0.link = br0",
  "lxc.hook.pre-start = /bin/true\nlxc.environment = A=b",
].flatMap((text) =>
  validateConfig(text).map((problem) => ({
    message: problem.message,
    words: problem.id === undefined ? undefined : { id: problem.id, params: problem.params },
  })),
);

/** One sentence of each kind a value's check writes. */
const VALUES: TSample[] = (
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
  const problem = info ? valueProblem(key, info, value) : null;
  return { message: problem?.message ?? `no problem for ${key} = ${value}`, words: problem ?? undefined };
});

const CTX = { lxcPath: "/var/lib/lxc", name: "web", bindRoots: ["/srv"] };
/** One sentence of each kind the key privileges write, line by line, on a whole config and on a change. */
const LOCKS: TSample[] = [
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
  ).map(
    ([key, value]) => adminReasonWords(key, value, CTX) ?? { message: `no reason for ${key} = ${value}` },
  ),
  adminReasonWords("lxc.mount.entry", "/srv/a a none bind 0 0", { ...CTX, bindRoots: [] }) ?? {
    message: "no reason",
  },
]
  .map((reason): TSample => ({ message: reason.message, words: "id" in reason ? reason : undefined }))
  .concat(
    [
      "lxc.net.0.script.up = /x\nlxc.net.0.type = veth\n",
      "lxc.net.0.type = macvlan\nlxc.net.0.link = eth0\n",
      "lxc.include = /usr/share/lxc/config/userns.conf\n",
      "lxc.hook.pre-start = /x\nlxc.environment = FOO=bar\n",
      "lxc.rootfs.options = idmap=container\n",
      "lxc.rootfs.options = dev\n",
    ].flatMap((text) =>
      lockedLines(text, CTX).map((line) => ({ message: line.reason, words: line.reasonWords })),
    ),
    [
      ["lxc.hook.mount = /x\nlxc.uts.name = a\n", "lxc.uts.name = a\nlxc.hook.mount = /x\n"],
      ["lxc.include = /etc/x.conf\nlxc.uts.name = a\n", "lxc.uts.name = a\nlxc.include = /etc/x.conf\n"],
      ["lxc.include = /usr/share/lxc/config/common.conf\n", ""],
      ["lxc.cap.drop = sys_module\n", "lxc.cap.drop =\n"],
    ].flatMap(([before = "", after = ""]) =>
      privilegedChanges(before, after, CTX).map((change) => ({
        message: change.reason,
        words: change.reasonWords,
      })),
    ),
  );

/** Sentences the server's config checks write, whose own tests cover them: host paths, liblxc's verdict. */
const SERVER_ONLY = [
  "validation.lint.needsAdmin",
  "validation.lint.removalNeedsAdmin",
  "validation.lint.liblxcRefuses",
  "validation.locks.bindSourceMissing",
  "validation.locks.bindSourceOutside",
  // The helper's check of the other containers' id maps (server/helper/ids-in-use.ts, tests/integration/unprivileged.test.ts).
  "validation.locks.idsOutsidePool",
  "validation.locks.idsTaken",
];
/** The validator's own check of a control character, which the divergences (earlier) always catch first. */
const UNREACHABLE = ["validation.lint.valueControl"];

const SAMPLES = { lint: LINT, values: VALUES, locks: LOCKS };

describe("the rules' sentences", () => {
  it.each(["lint", "values", "locks"] as const)(
    "%s: every finding names its sentence, said the same in English, and in French otherwise",
    (group) => {
      const found = new Set<string>();
      for (const { message, words } of SAMPLES[group]) {
        expect(words, message).toBeDefined();
        if (!words) continue;
        found.add(words.id);
        expect(englishOf(words)).toBe(message);
        expect(wordIn(en, words, "(none)")).toBe(message);
        const french = wordIn(fr, words, "(none)");
        expect(french, message).not.toBe(message);
        expect(french, message).not.toBe("(none)");
      }
      // Every sentence of the group is one the rules write.
      const ids = Object.keys(MESSAGES.en.validation[group]).map((key) => `validation.${group}.${key}`);
      expect(ids.filter((id) => !found.has(id) && ![...UNREACHABLE, ...SERVER_ONLY].includes(id))).toEqual(
        [],
      );
    },
  );

  it("says a value's problem inside its line in French too", () => {
    const [badValue] = validateConfig("lxc.tty.max = four\n");
    const [unknown] = validateConfig("lxc.uts.nmae = web\n");
    expect(badValue && wordProblem(fr, badValue)).toBe(
      "lxc.tty.max doit être un nombre entier (0 ou plus) (reçu «\u00a0four\u00a0»)",
    );
    expect(unknown && wordProblem(fr, unknown)).toBe(
      "Clé inconnue\u00a0: lxc.uts.nmae\u00a0; vouliez-vous dire lxc.uts.name\u00a0?",
    );
  });

  it("keeps a problem that names no sentence, or one this page does not know, as it was written", () => {
    const hostPath = { line: 1, severity: "warning" as const, message: "lxc.rootfs.path names /x" };
    expect(wordProblem(fr, hostPath)).toBe("lxc.rootfs.path names /x");
    expect(wordProblem(fr, { ...hostPath, id: "validation.lint.noSuchSentence" })).toBe(
      "lxc.rootfs.path names /x",
    );
    // A value that is a sentence this page does not know: the whole problem stays as written.
    const nested = { message: "x", id: "validation.lint.needsAdmin", params: { reason: { id: "nope" } } };
    expect(wordProblem(fr, nested)).toBe("x");
  });

  it("words a refused line's reason inside the server's problem", () => {
    const [change] = privilegedChanges("", "lxc.hook.mount = /x\n", CTX);
    const reason = change?.reasonWords ?? "";
    expect(wordIn(fr, { id: "validation.lint.needsAdmin", params: { reason } }, "(none)")).toBe(
      "Demande le rôle administrateur\u00a0: un hook s’exécute en root sur l’hôte",
    );
  });
});

describe("the keys' descriptions", () => {
  it("are the catalogue's in English, for every key", () => {
    for (const info of KEYS) expect(wordDescription(config.en, info)).toBe(info.description);
  });

  it("are French in French", () => {
    const same = KEYS.filter((info) => wordDescription(config.fr, info) === info.description).map(
      (info) => info.key,
    );
    expect(same).toEqual([]);
  });

  it("have no entry for a key the catalogue no longer has", () => {
    const ids = new Set(KEYS.map((info) => descriptionId(info.key)));
    const stale = Object.keys(MESSAGES.en.config.keys).filter((id) => id !== "hook" && !ids.has(id));
    expect(stale).toEqual([]);
  });
});

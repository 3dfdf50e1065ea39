import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { englishOf, type TValidationWords } from "../i18n/validation-words";
import { LxcConfig } from "../schemas/lxc-config/model";
import {
  adminReason,
  describePrivilegedChanges,
  hasIsolatedIdMap,
  isInBindRoots,
  lockedLines,
  normalisePath,
  parseMountEntry,
  privilegedChanges,
  redactSecrets,
} from "../schemas/lxc-config/privileges";

const ctx = { lxcPath: "/var/lib/lxc", name: "web", bindRoots: ["/srv/share"] };

/**
 * Reasons as their English alone, once each reason's words (its sentence in the `validation` catalogue) are checked
 * to say that very English.
 */
const withoutWords = <T extends { reason: string; reasonWords?: TValidationWords }>(items: T[]) =>
  items.map(({ reasonWords, ...rest }) => {
    expect(reasonWords && englishOf(reasonWords), rest.reason).toBe(rest.reason);
    return rest;
  });
/** An admin-only line has a reason, in words (an empty one would read as allowed to a careless caller). */
const needsAdmin = (key: string, value: string) => {
  const reason = adminReason(key, value, ctx);
  if (reason !== null) expect(reason, `${key} = ${value}`).toMatch(/[a-z]{3}/);
  return reason !== null;
};

describe("lines that act as root on the host are the admin's", () => {
  it.each([
    ["lxc.hook.pre-start", '/bin/sh -c "id > /tmp/proof"'],
    ["lxc.hook.mount", "/usr/share/lxc/hooks/mountcgroups"],
    ["lxc.hook.start-host", "/bin/true"],
    ["lxc.hook.version", "1"],
    ["lxc.net.0.script.up", "/bin/sh"],
    ["lxc.net.12.script.down", "/tmp/x"],
    ["lxc.net.0.type", "phys"],
    ["lxc.net.0.type", "none"],
    ["lxc.include", "/etc/passwd"],
    ["lxc.include", "/usr/share/lxc/config/nesting.conf"],
    ["lxc.include", "/usr/share/lxc/config/../../../../tmp/evil.conf"],
    ["lxc.rootfs.path", "dir:/"],
    ["lxc.rootfs.path", "/var/lib/lxc/web/rootfs/../../../../"],
    ["lxc.rootfs.path", "dir:/var/lib/lxc/web/rootfs/etc"],
    ["lxc.rootfs.path", "overlay:/:/var/lib/lxc/web/overlay/delta"],
    ["lxc.rootfs.path", "dir:/var/lib/lxc/other/rootfs"],
    ["lxc.rootfs.path", "xdir:/var/lib/lxc/web/rootfs"],
    ["lxc.rootfs.path", "dir:/var/lib/lxc/web/rootfs/"],
    ["lxc.rootfs.path", "dir:/var/lib/lxc//web/rootfs"],
    ["lxc.rootfs.path", "overlay:/var/lib/lxc/base/rootfs:/var/lib/lxc/web/overlay/delta:/etc"],
    ["lxc.rootfs.path", "xoverlay:/var/lib/lxc/base/rootfs:/var/lib/lxc/web/overlay/delta"],
    ["lxc.rootfs.path", "overlay:/var/lib/lxc/base/rootfs/../../../..:/var/lib/lxc/web/overlay/delta"],
    ["lxc.rootfs.path", "overlay:/var/lib/lxc/base/etc:/var/lib/lxc/web/overlay/delta"],
    ["lxc.rootfs.path", "overlay:/srv/x/rootfs:/var/lib/lxc/web/overlay/delta"],
    ["lxc.net.10.type", "phys"],
    ["lxc.net.0.type", " none "],
    ["lxc.net.0.script.up.extra", "x"],
    ["lxc.include", "/usr/share/lxc/config/common.conf.d/evil.conf"],
    ["lxc.include", "x/usr/share/lxc/config/common.conf"],
    ["lxc.include", "/usr/share/lxc/config/common.conf/x"],
    ["lxc.seccomp.profile", "/usr/share/lxc/config/common.seccomp/../../../../etc/x"],
    ["lxc.seccomp.profile", "x/usr/share/lxc/config/common.seccomp"],
    ["lxc.seccomp.profile", "/usr/share/lxc/config/common.seccompx"],
    ["lxc.mount.entry", "/srv/share/x /mnt none bind 0 0"],
    ["lxc.mount.entry", "/srv/share/x mnt/../.. none bind 0 0"],
    ["lxc.mount.entry", "none mnt proc defaults 0 0"],
    ["lxc.mount.entry", "/srv/share/x mnt tmpfs defaults 0 0"],
    ["lxc.mount.auto", "proc:mixed sys:rw"],
    ["lxc.apparmor.profile", "lxc-container-default-with-nesting"],
    ["lxc.cgroup2.devices.allow", "a"],
    ["lxc.cgroup2.devices.allow", "c 1:1 rwm"],
    ["lxc.cgroup2.devices.deny", ""],
    ["lxc.cgroup.dir.monitor", "x"],
    ["lxc.cgroup2.dir", "x"],
    ["lxc.idmap", "u 0 65535 65536"],
    ["lxc.idmap", "x"],
    ["lxc.console.path", "/dev/tty1"],
    ["lxc.seccomp.allow_nesting", "1"],
    ["lxc.sysctl.kernel.shmmax", "1"],
    ["lxc.rootfs.mount", "/mnt"],
    ["lxc.mount.fstab", "/var/lib/lxc/web/fstab"],
    ["lxc.mount.entry", "/ host none bind 0 0"],
    ["lxc.mount.entry", "/etc etc2 none bind,ro 0 0"],
    ["lxc.mount.entry", "/srv/share/../../etc x none bind 0 0"],
    ["lxc.mount.entry", "/srv/sharedevil x none bind 0 0"],
    ["lxc.mount.entry", "/dev/sda1 mnt ext4 defaults 0 0"],
    ["lxc.mount.entry", "sysfs sys sysfs rw 0 0"],
    ["lxc.mount.entry", "proc proc proc rw 0 0"],
    ["lxc.mount.entry", "tmpfs /etc tmpfs defaults 0 0"],
    ["lxc.mount.entry", "tmpfs ../../x tmpfs defaults 0 0"],
    ["lxc.mount.auto", "sys:rw"],
    ["lxc.mount.auto", "proc:rw sys:mixed"],
    ["lxc.mount.auto", "cgroup"],
    ["lxc.mount.auto", "shmounts:/a:/b"],
    ["lxc.apparmor.profile", "unconfined"],
    ["lxc.apparmor.profile", "my-loose-profile"],
    ["lxc.apparmor.allow_nesting", "1"],
    ["lxc.apparmor.allow_incomplete", "1"],
    ["lxc.apparmor.raw", "mount,"],
    ["lxc.selinux.context", "unconfined_t"],
    ["lxc.seccomp.profile", "/tmp/allow-all"],
    ["lxc.seccomp.allow_nesting", "1"],
    ["lxc.seccomp.notify.proxy", "unix:/run/x"],
    ["lxc.cap.keep", "sys_admin"],
    ["lxc.cap.drop", ""],
    ["lxc.cgroup.devices.allow", "a"],
    ["lxc.cgroup.devices.allow", "b 8:0 rwm"],
    ["lxc.cgroup2.devices.allow", "b 8:* rw"],
    ["lxc.cgroup.devices.allow", "c 1:1 rwm"],
    ["lxc.cgroup.devices.allow", "c 4:0 rwm"],
    ["lxc.cgroup.devices.allow", "c *:* rwm"],
    ["lxc.cgroup.devices.allow", ""],
    ["lxc.cgroup.devices.deny", ""],
    ["lxc.cgroup.cgroup.procs", "1"],
    ["lxc.cgroup2.cgroup.subtree_control", "+memory"],
    ["lxc.cgroup.dir", "../../.."],
    ["lxc.cgroup.dir.container", "x"],
    ["lxc.cgroup.relative", "1"],
    ["lxc.namespace.keep", "net"],
    ["lxc.namespace.share.net", "1"],
    ["lxc.namespace.clone", "mount pid"],
    ["lxc.sysctl.kernel.core_pattern", "|/tmp/evil"],
    ["lxc.sysctl.kernel.modprobe", "/tmp/evil"],
    ["lxc.log.file", "/etc/cron.d/evil"],
    ["lxc.console.logfile", "/root/.bashrc"],
    ["lxc.console.path", "/dev/sda"],
    ["lxc.idmap", "u 0 0 65536"],
    ["lxc.idmap", "g 0 1000 1"],
    // An allow-list: what is not known to stay inside the container is the admin's.
    ["lxc.include", "/usr/share/lxc/config/ubuntu-cloud.common.conf"],
    ["lxc.include", "/usr/share/lxc/config/oci.common.conf"],
    ["lxc.include", "/usr/share/lxc/config/common.conf.d/"],
    ["lxc.include", ""],
    ["lxc.net.0.type", "macvlan"],
    ["lxc.net.0.type", "ipvlan"],
    ["lxc.net.0.type", "vlan"],
    ["lxc.net.0.veth.ipv4.route", "10.0.0.0/8"],
    ["lxc.net.0.veth.ipv6.route", "::/0"],
    ["lxc.net.0.l2proxy", "1"],
    ["lxc.net.0.veth.mode", "router"],
    ["lxc.net.0.veth.pair", "eth0"],
    ["lxc.net.0.veth.vlan.id", "10"],
    ["lxc.net.0.macvlan.mode", "bridge"],
    ["lxc.net.00.script.up", "/bin/sh"],
    ["lxc.proc.root/etc/cron.d/x", "x"],
    ["lxc.proc.oom_score_adj", "-1000"],
    ["lxc.proc.sys.kernel.core_pattern", "|/x"],
    ["lxc.proc", "x"],
    ["lxc.procfoo", "x"],
    ["lxc.cgroup2", ""],
    ["lxc.cgroup", ""],
    ["lxc.cgroup2.cgroup.procs", "1"],
    ["lxc.environment", "PATH"],
    ["lxc.environment", ""],
    ["lxc.environment", "=x"],
    ["lxc.mount.entry", "none proc/sys tmpfs remount,rw 0 0"],
    ["lxc.mount.entry", "none proc tmpfs move 0 0"],
    ["lxc.mount.entry", "/srv/share/x mnt none bind,shared 0 0"],
    ["lxc.mount.entry", "tmpfs\\040x /etc tmpfs defaults 0 0"],
    ["lxc.mount.entry", ""],
    ["lxc.mount.auto", ""],
    ["lxc.no_new_privs", "0"],
    ["lxc.console.buffer.size", "1G"],
    ["lxc.console.rotate", "1"],
    ["lxc.log.syslog", "daemon"],
    ["lxc.monitor.unshare", "1"],
    ["lxc.rootfs.options", "idmap=/proc/1/ns/user"],
    ["lxc.rootfs.options", "idmap=container,dev"],
    ["lxc.rootfs.options", "dev,suid"],
    ["lxc.rootfs.managed", "0"],
    ["lxc.seccomp.notify.cookie", "x"],
    ["lxc.selinux.context.keyring", "x"],
    ["lxc.prlimit.foo", "1"],
    ["lxc.unknown.key", "1"],
    ["lxc.idmap", ""],
    ["lxc.cgroup.devices.allow", "c 1:3 rwm extra"],
  ])("%s = %s needs the admin role", (key, value) => {
    expect(needsAdmin(key, value)).toBe(true);
  });

  it.each([
    ["lxc.uts.name", "web"],
    ["lxc.net.0.type", "veth"],
    ["lxc.net.0.link", "br0"],
    ["lxc.net.0.ipv4.address", "10.0.3.2/24"],
    ["lxc.cgroup.memory.limit_in_bytes", "256M"],
    ["lxc.cgroup2.memory.max", "268435456"],
    ["lxc.cgroup.cpu.shares", "512"],
    ["lxc.cgroup2.pids.max", "100"],
    ["lxc.cgroup.devices.allow", "c 1:3 rwm"],
    ["lxc.cgroup.devices.allow", "c 136:* rwm"],
    ["lxc.cgroup.devices.allow", "b *:* m"],
    ["lxc.cgroup.devices.deny", "a"],
    ["lxc.cap.drop", "sys_module"],
    ["lxc.include", "/usr/share/lxc/config/common.conf"],
    ["lxc.rootfs.path", "dir:/var/lib/lxc/web/rootfs"],
    ["lxc.rootfs.path", "/var/lib/lxc/web/rootfs"],
    ["lxc.rootfs.path", "overlay:/var/lib/lxc/base/rootfs:/var/lib/lxc/web/overlay/delta"],
    ["lxc.mount.entry", "/srv/share/data srv/data none bind 0 0"],
    ["lxc.mount.entry", "shm dev/shm tmpfs defaults 0 0"],
    ["lxc.mount.auto", "cgroup:mixed proc:mixed sys:mixed"],
    ["lxc.apparmor.profile", "generated"],
    ["lxc.apparmor.allow_nesting", "0"],
    ["lxc.sysctl.net.ipv4.ip_forward", "1"],
    ["lxc.start.auto", "1"],
    ["lxc.environment", "TOKEN=secret"],
    ["lxc.idmap", "u 0 100000 65536"],
    ["lxc.console.path", "none"],
    ["lxc.console.path", "auto"],
    ["lxc.console.path", ""],
    ["lxc.rootfs.path", "dir:/var/lib/lxc/web/rootfs"],
    ["lxc.rootfs.path", "overlayfs:/var/lib/lxc/base/snaps/snap0/rootfs:/var/lib/lxc/web/snaps/snap1/delta0"],
    ["lxc.mount.entry", "/srv/share mnt none rbind 0 0"],
    ["lxc.mount.entry", "/srv/share/x mnt none ro,bind 0 0"],
    ["lxc.cgroup.devices.allow", "c 1:3"],
    ["lxc.mount.entry", "mqueue dev/mqueue mqueue defaults,optional 0 0"],
    ["lxc.mount.entry", "devpts dev/pts devpts defaults 0 0"],
    ["lxc.mount.auto", "proc sys cgroup:ro cgroup-full:mixed sys:ro"],
    ["lxc.apparmor.profile", "lxc-container-default"],
    ["lxc.apparmor.profile", "lxc-container-default-cgns"],
    ["lxc.apparmor.allow_incomplete", "0"],
    ["lxc.seccomp.profile", "/usr/share/lxc/config/common.seccomp"],
    ["lxc.seccomp.allow_nesting", "0"],
    ["lxc.seccomp.notify.proxy", ""],
    ["lxc.cgroup.devices.allow", "c 5:0 rwm"],
    ["lxc.cgroup.devices.allow", "c 10:200 rwm"],
    ["lxc.cgroup2.devices.allow", "c 1:9 rw"],
    ["lxc.cgroup.devices.allow", "c *:* m"],
    ["lxc.cgroup2.devices.deny", "c 1:1 rwm"],
    ["lxc.cgroup.blkio.weight", "100"],
    ["lxc.cgroup2.io.max", "8:0 rbps=1"],
    ["lxc.cgroup2.hugetlb.2MB.max", "0"],
    ["lxc.include", "/usr/share/lxc/config/userns.conf"],
    ["lxc.idmap", "g 0 200000 65536"],
    ["lxc.net.0.type", "empty"],
  ])("%s = %s is the operator's", (key, value) => {
    expect(needsAdmin(key, value)).toBe(false);
  });

  it("has no bind roots by default: every bind mount is the admin's", () => {
    expect(adminReason("lxc.mount.entry", "/srv/share/x x none bind 0 0", { ...ctx, bindRoots: [] })).toMatch(
      /ATELIER_BIND_ROOTS/,
    );
  });

  it("judges bind roots by whole path components", () => {
    expect(isInBindRoots("/srv/share", ["/srv/share"])).toBe(true);
    expect(isInBindRoots("/srv/share/a/b", ["/srv/share/"])).toBe(true);
    expect(isInBindRoots("/srv/shared", ["/srv/share"])).toBe(false);
    expect(isInBindRoots("/srv/share/../etc", ["/srv/share"])).toBe(false);
    expect(isInBindRoots("srv/share", ["/srv/share"])).toBe(false);
  });
});

describe("what an operator may change", () => {
  const admin = [
    "lxc.include = /usr/share/lxc/config/common.conf",
    "lxc.hook.pre-start = /usr/local/bin/prepare",
    "lxc.cap.drop = sys_module mac_admin sys_time",
    "lxc.cgroup.devices.deny = a",
    "lxc.cgroup.devices.allow = c 1:3 rwm",
    "lxc.idmap = u 0 100000 65536",
    "lxc.seccomp.profile = /usr/share/lxc/config/common.seccomp",
    "lxc.cgroup.memory.limit_in_bytes = 256M",
    "",
  ].join("\n");
  const change = (after: string) => privilegedChanges(admin, after, ctx);

  it("keeps an admin's lines unchanged and edits the rest", () => {
    expect(change(admin.replace("256M", "512M"))).toEqual([]);
    expect(change(`# a comment\n${admin}lxc.start.auto = 1\n`)).toEqual([]);
  });

  it("may not add, duplicate or alter an admin-only line", () => {
    expect(change(`${admin}lxc.hook.start-host = /bin/sh -c id\n`)).toMatchObject([
      { key: "lxc.hook.start-host", kind: "added", line: 9 },
    ]);
    expect(change(admin.replace("/usr/local/bin/prepare", "/tmp/evil"))).toMatchObject([
      { key: "lxc.hook.pre-start", kind: "added" },
    ]);
    expect(change(`${admin}lxc.hook.pre-start = /usr/local/bin/prepare\n`)).toHaveLength(1);
  });

  it("may not remove a protection", () => {
    const removed = (line: string) => change(admin.replace(`${line}\n`, ""));
    expect(removed("lxc.include = /usr/share/lxc/config/common.conf")).toMatchObject([{ kind: "removed" }]);
    expect(removed("lxc.cgroup.devices.deny = a")).toMatchObject([{ kind: "removed" }]);
    expect(removed("lxc.idmap = u 0 100000 65536")).toMatchObject([{ kind: "removed" }]);
    expect(removed("lxc.seccomp.profile = /usr/share/lxc/config/common.seccomp")).toMatchObject([
      { kind: "removed" },
    ]);
    expect(change(admin.replace("sys_module mac_admin sys_time", "mac_admin"))).toMatchObject([
      { key: "lxc.cap.drop", kind: "removed", value: "sys_module sys_time" },
    ]);
    // Removing a hook takes no protection away.
    expect(removed("lxc.hook.pre-start = /usr/local/bin/prepare")).toEqual([]);
    // Dropping more, or the same capabilities on two lines, is fine.
    expect(
      change(
        admin.replace(
          "sys_module mac_admin sys_time",
          "sys_module\nlxc.cap.drop = mac_admin sys_time sys_rawio",
        ),
      ),
    ).toEqual([]);
  });

  it("is checked against the file's current text, not what the client says it was", () => {
    expect(privilegedChanges("", admin, ctx).map((p) => p.key)).toEqual(["lxc.hook.pre-start"]);
  });
});

describe("what the views and refusals say", () => {
  it("lists the locked lines of a config with their line and why", () => {
    const raw =
      "lxc.uts.name = a\n# comment\nlxc.hook.stop = /bin/true\nlxc.start.auto = 1\nlxc.cap.keep = sys_admin\n";
    expect(lockedLines(raw, ctx)).toEqual([
      {
        line: 3,
        key: "lxc.hook.stop",
        reason: "a hook runs as root on the host",
        reasonWords: { id: "validation.locks.hook" },
      },
      {
        line: 5,
        key: "lxc.cap.keep",
        reason: "keeps capabilities LXC would drop",
        reasonWords: { id: "validation.locks.capKeep" },
      },
    ]);
    expect(lockedLines("lxc.uts.name = a\n", ctx)).toEqual([]);
  });

  it("names the first refused line, whether added or removed, and how many more", () => {
    const added = privilegedChanges("", "lxc.uts.name = a\nlxc.hook.stop = /bin/true\n", ctx);
    expect(describePrivilegedChanges(added)).toBe(
      "line 2 (lxc.hook.stop = /bin/true) needs the admin role: a hook runs as root on the host",
    );
    const both = privilegedChanges(
      "lxc.cgroup.devices.deny = a\n",
      "lxc.hook.stop = /bin/true\nlxc.cap.keep = sys_admin\n",
      ctx,
    );
    expect(describePrivilegedChanges(both)).toMatch(
      /^line 1 \(lxc\.hook\.stop = \/bin\/true\) needs the admin role: .* \(and 2 more\)$/,
    );
    const removed = privilegedChanges(
      "lxc.uts.name = a\nlxc.cgroup.devices.deny = a\n",
      "lxc.uts.name = a\n",
      ctx,
    );
    expect(describePrivilegedChanges(removed)).toBe(
      "removing lxc.cgroup.devices.deny = a (line 2 of the current config) needs the admin role: removing it takes a protection away",
    );
    expect(describePrivilegedChanges([])).toBe("");
  });

  it("sorts what it refuses by line", () => {
    const lines = privilegedChanges(
      "lxc.idmap = u 0 100000 65536\n",
      "lxc.hook.stop = a\nlxc.uts.name = b\nlxc.hook.start = c\n",
      ctx,
    ).map((change) => change.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(lines).toEqual([1, 1, 3]);
  });
});

describe("what a viewer reads", () => {
  it("has the values of lxc.environment redacted, names kept", () => {
    expect(redactSecrets("lxc.environment = DB_PASSWORD=hunter2\nlxc.uts.name = a\n")).toBe(
      "lxc.environment = DB_PASSWORD=[redacted]\nlxc.uts.name = a\n",
    );
    expect(redactSecrets("  lxc.environment=K=a=b\nlxc.environment = PATH\n")).toBe(
      "  lxc.environment=K=[redacted]\nlxc.environment = PATH\n",
    );
  });
});

describe("other spellings of an admin-only line are refused (liblxc's reading, not a \\n-split one)", () => {
  const base = "lxc.uts.name = web\nlxc.cap.drop = sys_module mac_admin\n";
  const refused = (after: string) => privilegedChanges(base, after, ctx);
  it.each([
    ["a hook after a \\r in a comment", `${base}# a note\rlxc.hook.pre-start = /bin/touch /tmp/x\n`],
    ["a hook after a \\r in an allowed value", `${base}lxc.start.order = 1\rlxc.hook.pre-start = /bin/x\n`],
    ["a hook after a lone \\r at a line's end", `${base}lxc.start.auto = 1\r\rlxc.hook.mount = /bin/x\n`],
    ["a NUL byte", `${base}lxc.start.auto = 1\0lxc.hook.mount = /bin/x\n`],
    ["a hook with a U+2028 in its value", `${base}lxc.hook.pre-start = /bin/x\u2028\n`],
    ["a no-break space before the key", `${base}\u00a0lxc.hook.pre-start = /bin/x\n`],
    ["a vertical tab in a value", `${base}lxc.uts.name = a\vlxc.hook.pre-start\n`],
    ["cap.drop cleared with double quotes", `${base}lxc.cap.drop = ""\n`],
    ["cap.drop cleared with single quotes", `${base}lxc.cap.drop = ''\n`],
    ["cap.drop cleared with quotes and tabs", `${base}lxc.cap.drop\t=\t""\t\n`],
    ["a quoted hook", `${base}lxc.hook.pre-start = "/bin/x"\n`],
    ["a quoted proc path", `${base}lxc.proc.root/etc/shadow = "x"\n`],
    ["lxc.proc.root on the host", `${base}lxc.proc.root/tmp/evil = 1\n`],
    ["a network index with zeros", `${base}lxc.net.000.script.up = /bin/x\n`],
    ["userns.conf in a privileged container", `${base}lxc.include = /usr/share/lxc/config/userns.conf\n`],
    // Container root would write the host's files as host root (an idmapped mount with the identity map).
    ["an idmapped rootfs in a privileged container", `${base}lxc.rootfs.options = idmap=container\n`],
    [
      "an idmapped rootfs, quoted, in a privileged container",
      `${base}lxc.rootfs.options = "idmap=container"\n`,
    ],
    [
      "a distribution's userns file in a privileged container",
      `${base}lxc.include = /usr/share/lxc/config/debian.userns.conf\n`,
    ],
    ["a bare lxc.cgroup2 clear", `${base}lxc.cgroup2 =\n`],
    ["a host variable copied in", `${base}lxc.environment = HOME\n`],
  ])("%s", (_label, after) => {
    expect(refused(after).length).toBeGreaterThan(0);
  });

  it("takes an idmapped rootfs with an isolated id map, moved to another isolated range too", () => {
    const mapped = `${base}lxc.idmap = u 0 1000000 65536\nlxc.idmap = g 0 1000000 65536\n`;
    const idmapped = `${mapped}lxc.rootfs.options = idmap=container\n`;
    expect(privilegedChanges(mapped, idmapped, ctx)).toEqual([]);
    // A clone given a range of its own: the protection stays, so no admin is needed.
    expect(privilegedChanges(idmapped, idmapped.replaceAll("1000000", "1065536"), ctx)).toEqual([]);
    // Back to privileged: the maps go, which only an admin may do.
    expect(privilegedChanges(idmapped, base, ctx)).not.toEqual([]);
    // Onto the host's own users: the admin's.
    expect(privilegedChanges(idmapped, idmapped.replaceAll("1000000", "1000"), ctx)).not.toEqual([]);
  });

  it("takes a userns file only with an isolated id map, which then may not be removed", () => {
    const mapped = `${base}lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n`;
    const withUserns = `${mapped}lxc.include = /usr/share/lxc/config/userns.conf\n`;
    expect(privilegedChanges(mapped, withUserns, ctx)).toEqual([]);
    expect(
      privilegedChanges(withUserns, withUserns.replace("lxc.idmap = g 0 100000 65536\n", ""), ctx),
    ).not.toEqual([]);
    // Only the user ids mapped: still privileged for groups.
    expect(
      privilegedChanges(
        base,
        `${base}lxc.idmap = u 0 100000 65536\nlxc.include = /usr/share/lxc/config/userns.conf\n`,
        ctx,
      ),
    ).not.toEqual([]);
  });

  it("refuses a variable while the config has a hook (hooks run as root with the container's environment)", () => {
    const hooked = `${base}lxc.hook.mount = /usr/local/bin/prepare\n`;
    expect(
      privilegedChanges(hooked, `${hooked}lxc.environment = LD_PRELOAD=/var/lib/lxc/web/rootfs/x.so\n`, ctx),
    ).not.toEqual([]);
    expect(privilegedChanges(base, `${base}lxc.environment = LANG=C\n`, ctx)).toEqual([]);
  });

  it("refuses moving an admin's clearing line past the lines it would clear", () => {
    const admin =
      "lxc.cap.drop =\nlxc.cap.drop = sys_module sys_rawio\nlxc.cgroup.devices.deny =\nlxc.cgroup.devices.deny = a\n";
    expect(
      privilegedChanges(
        admin,
        "lxc.cap.drop = sys_module sys_rawio\nlxc.cap.drop =\nlxc.cgroup.devices.deny =\nlxc.cgroup.devices.deny = a\n",
        ctx,
      ),
    ).not.toEqual([]);
    expect(
      privilegedChanges(
        admin,
        "lxc.cap.drop =\nlxc.cap.drop = sys_module sys_rawio\nlxc.cgroup.devices.deny = a\nlxc.cgroup.devices.deny =\n",
        ctx,
      ),
    ).not.toEqual([]);
    // An unrelated line moved around an admin's line is fine.
    expect(privilegedChanges(`${admin}lxc.start.auto = 1\n`, `lxc.start.auto = 1\n${admin}`, ctx)).toEqual(
      [],
    );
  });

  it("locks the lines liblxc would read otherwise, and every line of an unknown key", () => {
    expect(
      lockedLines("lxc.uts.name = a\rlxc.hook.mount = x\nlxc.foo.bar = 1\n", ctx).map((line) => line.line),
    ).toEqual([1, 2]);
  });
});

describe("the reason given, in words (what the refusal and the locked line say)", () => {
  it.each([
    ["lxc.hook", "", /^a hook runs as root on the host$/],
    ["lxc.hook.pre-start", "/bin/true", /^a hook runs as root on the host$/],
    ["lxc.net.0.script.up", "/bin/sh", /^an interface script runs as root on the host$/],
    ["lxc.net.0.veth.ipv4.route", "10.0.0.0/8", /^adds a route on the host$/],
    ["lxc.net.0.veth.ipv6.route", "::/0", /^adds a route on the host$/],
    ["lxc.net.0.l2proxy", "1", /^answers ARP and NDP for the container on the host's link$/],
    ["lxc.net.0.veth.pair", "eth0", /^lxc\.net\.N\.veth\.pair acts on the host's side of the interface$/],
    ["lxc.net.0.type", "none", /^type none shares the host's own network namespace$/],
    ["lxc.net.0.type", "phys", /^type phys moves a host network interface into the container$/],
    ["lxc.net.0.type", "macvlan", /^type macvlan attaches the container to a host interface directly$/],
    ["lxc.net", "x", /^lxc\.net takes no value \(an empty one removes interfaces\)$/],
    ["lxc.net.12", "x", /^lxc\.net takes no value/],
    ["lxc.include", "", /^an empty lxc\.include is not a file$/],
    ["lxc.include", "/etc/x.conf", /^an included file can hold any key, hooks included/],
    ["lxc.environment", "", /^an empty lxc\.environment clears the variables an admin set$/],
    ["lxc.environment", "PATH", /^a variable without a value is copied from the host's own environment$/],
    ["lxc.environment", "=x", /^not a variable name/],
    ["lxc.environment", "LD_PRELOAD=/x.so", /^LD_PRELOAD changes what a program run with it does/],
    ["lxc.environment", "PATH=/var/lib/lxc/web/rootfs/bin", /^PATH changes what a program/],
    ["lxc.idmap", "u 0 065536 65536", /^an id map's numbers must be plain decimals/],
    ["lxc.idmap", "u 0 65536 4294901759", /^maps more ids than a container needs/],
    [
      "lxc.mount.entry",
      "tmpfs evil/made-dir tmpfs defaults,create=dir 0 0",
      /^create= makes the mount point as root at every start/,
    ],
    ["lxc.include", "/usr/share/lxc/config/debian.common.conf", /^an included file can hold any key/],
    ["lxc.include", "/usr/share/lxc/config/openwrt.common.conf", /^an included file can hold any key/],
    [
      "lxc.rootfs.path",
      "overlay:/var/lib/lxc/web/rootfs:/var/lib/lxc/other/overlay/delta",
      /^a root filesystem outside the container's own directory/,
    ],
    [
      "lxc.rootfs.path",
      "dir:/",
      /^a root filesystem outside the container's own directory exposes that host path$/,
    ],
    ["lxc.mount.entry", "", /^an empty lxc\.mount\.entry clears the mounts an admin set$/],
    ["lxc.mount.entry", "tmpfs", /^not a mount entry \(source target type options \[0 0\]\)$/],
    ["lxc.mount.entry", "tmpfs tmp tmpfs defaults 0 0 x", /^not a mount entry/],
    [
      "lxc.mount.entry",
      "tmpfs /etc tmpfs defaults 0 0",
      /^the mount point must be a path inside the container$/,
    ],
    [
      "lxc.mount.entry",
      "tmpfs a/../../x tmpfs defaults 0 0",
      /^the mount point must be a path inside the container$/,
    ],
    [
      "lxc.mount.entry",
      "none proc tmpfs remount,rw,move 0 0",
      /^the mount options remount, move are the admin's$/,
    ],
    [
      "lxc.mount.entry",
      "/etc etc none bind 0 0",
      /^\/etc is outside the directories operators may bind-mount from \(\/srv\/share\)$/,
    ],
    ["lxc.mount.entry", "/dev/sda1 mnt ext4 defaults 0 0", /^mounts a host device or path$/],
    ["lxc.mount.entry", "proc proc proc rw 0 0", /^a proc mount reaches host state$/],
    ["lxc.mount.entry", "none mnt", /^a \? mount reaches host state$/],
    ["lxc.mount.auto", "", /^an empty lxc\.mount\.auto clears the mounts an admin chose$/],
    [
      "lxc.mount.auto",
      "sys:rw proc:mixed proc:rw",
      /^sys:rw, proc:rw mounts kernel interfaces writable \(a way to host root\)$/,
    ],
    ["lxc.apparmor.profile", "unconfined", /^only LXC's confining AppArmor profiles are the operator's$/],
    ["lxc.apparmor.allow_incomplete", "1", /^loosens the confinement$/],
    ["lxc.apparmor.allow_nesting", "1", /^loosens the confinement$/],
    ["lxc.seccomp.allow_nesting", "1", /^loosens the confinement$/],
    ["lxc.seccomp.profile", "/tmp/x", /^replaces the seccomp filter with a host file/],
    ["lxc.no_new_privs", "0", /^lets the container's processes gain privileges$/],
    ["lxc.no_new_privs", "", /^lets the container's processes gain privileges$/],
    ["lxc.cap.drop", "", /^an empty lxc\.cap\.drop clears the dropped capabilities$/],
    ["lxc.cap.keep", "sys_admin", /^keeps capabilities LXC would drop$/],
    ["lxc.console.path", "/dev/tty1", /^connects the console to a host device$/],
    ["lxc.idmap", "", /^an empty lxc\.idmap clears the id maps \(a privileged container\)$/],
    ["lxc.idmap", "u 0 65535 65536", /^maps the container's ids onto the host's own users \(below 65536\)$/],
    ["lxc.proc.oom_score_adj", "1001", /^only an oom_score_adj from 0 to 1000 is the operator's/],
    [
      "lxc.proc.root/etc/x",
      "x",
      /^writes a \/proc file from the host before the container's root is in place/,
    ],
    ["lxc.prlimit.nofile", "", /^not a resource limit the operator may set$/],
    ["lxc.prlimit.foo", "1", /^not a resource limit the operator may set$/],
    ["lxc.sysctl.net.ipv4.ip_forward", "", /^a kernel setting outside the network namespace is the host's/],
    [
      "lxc.sysctl.kernel.core_pattern",
      "|/x",
      /^a kernel setting outside the network namespace is the host's/,
    ],
    ["lxc.cgroup.devices.allow", "", /^an empty device rule clears the rules$/],
    ["lxc.cgroup2.devices.allow", "a", /^allows every device$/],
    ["lxc.cgroup.devices.allow", "a *:* m", /^allows every device$/],
    ["lxc.cgroup.devices.allow", "b 8:0 rwm", /^allows a block device \(the host's disks\)$/],
    ["lxc.cgroup.devices.allow", "c 1:3 rwm extra", /^allows the host device 1:3$/],
    [
      "lxc.cgroup.devices.allow",
      "c 1:1 rwm",
      /^allows the host device 1:1 \(only null, zero, full, random, urandom, tty, console, ptmx, pts, fuse and tun/,
    ],
    ["lxc.cgroup.devices.allow", "x 1:3 rwm", /^allows the host device 1:3 \(only null/],
    ["lxc.cgroup.devices.allow", "c", /^allows the host device c \(only null/],
    ["lxc.cgroup.devices.deny", "", /^an empty device rule clears the deny rules$/],
    ["lxc.cgroup2.devices.deny", "", /^an empty device rule clears the deny rules$/],
    ["lxc.cgroup", "x", /^a bare cgroup key clears every cgroup setting, device rules included$/],
    ["lxc.cgroup2", "", /^a bare cgroup key clears every cgroup setting/],
    ["lxc.cgroup.cgroup.procs", "1", /^writes the cgroup file cgroup\.procs$/],
    ["lxc.cgroup.devices.allow.x", "c 1:3 rwm", /^writes the cgroup file devices\.allow\.x$/],
    ["lxc.cgroup.devices.deny.x", "a", /^writes the cgroup file devices\.deny\.x$/],
    ["lxc.cgroup.relativex", "1", /^writes the cgroup file relativex$/],
    ["lxc.cgroup.dir", "x", /^places the container's cgroups elsewhere in the host's tree$/],
    ["lxc.cgroup.dir.monitor", "x", /^places the container's cgroups elsewhere/],
    ["lxc.cgroup.relative", "1", /^places the container's cgroups elsewhere/],
    ["lxc.namespace.keep", "net", /^shares or keeps the host's namespaces$/],
    ["lxc.log.file", "/x", /^writes a file at a host path$/],
    ["lxc.console.logfile", "/x", /^writes a file at a host path$/],
    ["lxc.rootfs.mount", "/mnt", /^sets where the host mounts the root filesystem$/],
    ["lxc.mount.fstab", "/x", /^an fstab file can mount any host path$/],
    ["lxc.apparmor.raw", "mount,", /^adds raw AppArmor rules$/],
    ["lxc.selinux.context", "x", /^sets the SELinux context$/],
    ["lxc.seccomp.notify.proxy", "unix:/run/x", /^loosens the seccomp filter$/],
    [
      "lxc.unknown.key",
      "1",
      /^lxc\.unknown\.key is not among the keys operators may write \(docs\/usage\.md lists them\)$/,
    ],
  ])("%s = %j: %s", (key, value, reason) => {
    expect(adminReason(key, value, ctx)).toMatch(reason);
  });

  it.each([
    // Keys that only look like allowed ones (another section, a suffix, a line break) fall to the allow-list's end.
    ["lxc.proc", "x"],
    ["lxc.procfoo", "x"],
    ["lxc.net.x", ""],
    ["lxc.net.0x", ""],
    ["lxc.foo.lxc.net.0", ""],
    ["lxc.foo.lxc.net.0.link", "br0"],
    ["lxc.net.0.link\n", "br0"],
    ["lxc.foo.lxc.cgroup.devices.allow", "c 1:3 rwm"],
    ["lxc.foo.lxc.cgroup.devices.deny", "a"],
    ["lxc.foo.lxc.cgroup.memory.max", "1"],
    ["lxc.cgroup.memory.max\n", "1"],
    ["lxc.foo.lxc.cgroup.dir", "x"],
    ["lxc.foo.lxc.hook.x", "x"],
    ["lxc.foo.lxc.proc.x", "x"],
    ["lxc.foo.lxc.prlimit.nofile", "1"],
    ["lxc.foo.lxc.sysctl.x", "1"],
    ["lxc.foo.lxc.namespace.x", "1"],
    ["lxc.foo.lxc.selinux.x", "1"],
    ["lxc.foo.lxc.seccomp.x", "0"],
  ])("%j = %j is not among the operator's keys", (key, value) => {
    expect(adminReason(key, value, ctx)).toBe(
      `${key} is not among the keys operators may write (docs/usage.md lists them)`,
    );
  });
});

describe("each key and value the allow-list gives operators", () => {
  it.each([
    ["lxc.uts.name", "web"],
    ["lxc.arch", "x86_64"],
    ["lxc.init.cmd", "/sbin/init"],
    ["lxc.init.cwd", "/"],
    ["lxc.init.uid", "0"],
    ["lxc.init.gid", "0"],
    ["lxc.init.groups", "1,2"],
    ["lxc.execute.cmd", "/bin/sh"],
    ["lxc.ephemeral", "1"],
    ["lxc.signal.halt", "SIGPWR"],
    ["lxc.signal.reboot", "SIGINT"],
    ["lxc.signal.stop", "SIGKILL"],
    ["lxc.start.auto", "1"],
    ["lxc.start.delay", "5"],
    ["lxc.start.order", "10"],
    ["lxc.group", "web"],
    ["lxc.tty.max", "4"],
    ["lxc.tty.dir", "lxc"],
    ["lxc.pty.max", "1024"],
    ["lxc.autodev", "1"],
    ["lxc.log.level", "INFO"],
    ["lxc.keyring.session", "0"],
    ["lxc.sched.core", "1"],
    ["lxc.time.offset.boot", "1h"],
    ["lxc.time.offset.monotonic", "1h"],
    ["lxc.net", ""],
    ["lxc.net.0", ""],
    ["lxc.net.12", ""],
    ["lxc.net.0.type", ""],
    ["lxc.net.0.type", "veth"],
    ["lxc.net.0.type", "empty"],
    ["lxc.net.0.link", "br0"],
    ["lxc.net.0.flags", "up"],
    ["lxc.net.0.name", "eth0"],
    ["lxc.net.0.hwaddr", "00:16:3e:xx:xx:xx"],
    ["lxc.net.0.mtu", "1500"],
    ["lxc.net.0.ipv4.address", "10.0.3.2/24"],
    ["lxc.net.0.ipv4.gateway", "auto"],
    ["lxc.net.0.ipv6.address", "fd00::2/64"],
    ["lxc.net.0.ipv6.gateway", "auto"],
    ["lxc.net.10.link", "br0"],
    ["lxc.include", "/usr/share/lxc/config/common.conf"],
    ["lxc.environment", "A=b"],
    ["lxc.apparmor.profile", " generated "],
    ["lxc.apparmor.allow_incomplete", "0"],
    ["lxc.apparmor.allow_nesting", "0"],
    ["lxc.seccomp.allow_nesting", "0"],
    ["lxc.seccomp.profile", "/usr/share/lxc/config/common.seccomp"],
    ["lxc.seccomp.profile", "/usr/share/lxc/config/lxc-container-nesting.seccomp"],
    ["lxc.seccomp.notify.proxy", ""],
    ["lxc.seccomp.notify.cookie", "0"],
    ["lxc.no_new_privs", "1"],
    ["lxc.cap.drop", "sys_admin"],
    ["lxc.console.path", "none"],
    ["lxc.idmap", "u 0 65536 65536"],
    ["lxc.idmap", "u 0  100000 65536"],
    ["lxc.idmap", "g\t0\t100000\t65536"],
    ["lxc.prlimit.nofile", "1024"],
    ["lxc.prlimit.nproc", "unlimited"],
    ["lxc.sysctl.net.ipv4.ip_forward", "1"],
    ["lxc.cgroup.devices.allow", "c 1:3"],
    ["lxc.cgroup.devices.allow", "c 1:1 m"],
    ["lxc.cgroup.devices.allow", "b 8:0 m"],
    ["lxc.cgroup.devices.allow", "c  1:3  rwm"],
    ["lxc.cgroup.devices.deny", "a"],
    ["lxc.cgroup2.memory.max", "1G"],
    ["lxc.cgroup2.memory.dir", "1"],
    ["lxc.cgroup.memory.relative", "1"],
  ])("%s = %j", (key, value) => {
    expect(adminReason(key, value, ctx)).toBeNull();
  });

  it.each([
    ["0", null],
    ["10", null],
    [" 500 ", null],
    ["1000", null],
    ["1001", "refused"],
    ["-1", "refused"],
    ["", "refused"],
    ["1e3", "refused"],
    ["10x", "refused"],
    ["x10", "refused"],
  ])("lxc.proc.oom_score_adj = %j: %s", (value, verdict) => {
    expect(adminReason("lxc.proc.oom_score_adj", value, ctx) === null ? null : "refused").toBe(verdict);
  });

  it.each([
    ["u 0 65535 65536", "refused"],
    ["u 0 65536 65536", null],
    ["u 0 100000", "refused"],
    ["u 0", "refused"],
    ["x", "refused"],
  ])("lxc.idmap = %j: %s", (value, verdict) => {
    expect(adminReason("lxc.idmap", value, ctx) === null ? null : "refused").toBe(verdict);
  });

  it.each([
    ["defaults", null],
    ["ro", null],
    ["rw", null],
    ["nosuid", null],
    ["nodev", null],
    ["noexec", null],
    ["optional", null],
    ["relatime", null],
    ["noatime", null],
    ["nodiratime", null],
    ["strictatime", null],
    ["size=64m", null],
    ["size=10%", null],
    ["nr_inodes=1k", null],
    ["mode=1777", null],
    ["uid=0", null],
    ["gid=5", null],
    ["newinstance", null],
    ["ptmxmode=0666", null],
    ["max=10", null],
    ["nosuid,,nodev", null],
    ["suid", "refused"],
    ["dev", "refused"],
    ["exec", "refused"],
    ["remount", "refused"],
    ["move", "refused"],
    ["shared", "refused"],
    ["rslave", "refused"],
    ["size=1t", "refused"],
    ["mode=8", "refused"],
    ["Defaults", "refused"],
    ["context=x", "refused"],
  ])("a tmpfs mounted with %s: %s", (options, verdict) => {
    const reason = adminReason("lxc.mount.entry", `tmpfs tmp tmpfs ${options} 0 0`, ctx);
    expect(reason === null ? null : "refused").toBe(verdict);
    if (reason !== null) expect(reason).toMatch(/^the mount options .* are the admin's$/);
  });

  it("names every bind root in a refusal", () => {
    expect(
      adminReason("lxc.mount.entry", "/etc etc none bind 0 0", {
        ...ctx,
        bindRoots: ["/srv/share", "/data"],
      }),
    ).toBe("/etc is outside the directories operators may bind-mount from (/srv/share, /data)");
  });

  it("takes a container's own rootfs and layers in any lxcpath, and nothing when the lxcpath is not absolute", () => {
    const atRoot = { ...ctx, lxcPath: "/" };
    expect(adminReason("lxc.rootfs.path", "/web/rootfs", atRoot)).toBeNull();
    expect(adminReason("lxc.rootfs.path", "dir:/web/rootfs", atRoot)).toBeNull();
    expect(adminReason("lxc.rootfs.path", "overlay:/base/rootfs:/web/overlay/delta", atRoot)).toBeNull();
    expect(adminReason("lxc.rootfs.path", "//web/rootfs", atRoot)).not.toBeNull();
    const dotted = { ...ctx, lxcPath: "/srv/lxc.d" };
    expect(
      adminReason("lxc.rootfs.path", "overlay:/srv/lxc.d/base/rootfs:/srv/lxc.d/web/overlay/delta", dotted),
    ).toBeNull();
    expect(
      adminReason("lxc.rootfs.path", "overlay:/srv/lxcxd/base/rootfs:/srv/lxc.d/web/overlay/delta", dotted),
    ).not.toBeNull();
    const relative = { ...ctx, lxcPath: "lxc" };
    expect(adminReason("lxc.rootfs.path", "lxc/web/rootfs", relative)).toMatch(
      /outside the container's own directory/,
    );
    expect(adminReason("lxc.rootfs.path", "/lxc/web/rootfs", relative)).toMatch(
      /outside the container's own directory/,
    );
    // "dir:" is a prefix, not a word to drop anywhere; an odd name does not make an odd path the operator's.
    expect(adminReason("lxc.rootfs.path", "/var/lib/lxc/web/rootfsdir:", ctx)).not.toBeNull();
    expect(adminReason("lxc.rootfs.path", "/var/lib/lxc/../rootfs", { ...ctx, name: ".." })).not.toBeNull();
  });
});

describe("the path and mount helpers", () => {
  it.each([
    ["/a//./b/", "/a/b"],
    ["/a/../../b", "/b"],
    ["/", "/"],
    ["a/b", null],
    ["", null],
    ["/a\nb", null],
    ["/a\rb", null],
    ["/a\0b", null],
  ])("normalisePath(%j) = %j", (value, normal) => {
    expect(normalisePath(value)).toBe(normal);
  });

  it.each([
    ["/srv/share/x/", ["/srv/share"], true],
    ["/srv/share/x//", ["/srv/share"], true],
    ["/srv//share/x", ["/srv/share"], true],
    ["/srv/share/./x", ["/srv/share"], false],
    ["/srv/share/x/../y", ["/srv/share"], false],
    ["/data/x", ["/srv/share", "/data"], true],
    ["/etc/passwd", ["/"], true],
    ["/etc/passwd", ["srv/share"], false],
    ["/srv/share", ["srv/share"], false],
  ])("isInBindRoots(%j, %j) = %s", (value, roots, inside) => {
    expect(isInBindRoots(value, roots)).toBe(inside);
  });

  it("reads a mount entry as getmntent does: fields split on runs of spaces and tabs, octal escapes decoded", () => {
    expect(parseMountEntry("a\\040b  c\\011d\td\\012e\\134f g\\\\h,,i 0 0")).toEqual({
      source: "a b",
      target: "c\td",
      fstype: "d\ne\\f",
      options: ["g\\h", "i"],
      rest: ["0", "0"],
    });
    expect(parseMountEntry(" \tnone tmp tmpfs")).toEqual({
      source: "none",
      target: "tmp",
      fstype: "tmpfs",
      options: [],
      rest: [],
    });
    expect(parseMountEntry("")).toEqual({ source: "", target: "", fstype: "", options: [], rest: [] });
    expect(parseMountEntry("x\\041 y")).toMatchObject({
      source: "x\\041",
      target: "y",
      fstype: "",
      options: [],
    });
  });

  it.each([
    ["users and groups mapped from 65536", ["u 0 65536 65536", "g 0 100000 65536"], true],
    ["both by one map of type b", ["b 0 100000 65536"], true],
    ["two blanks between fields", ["u  0 100000 65536", "g 0 100000 65536"], true],
    ["a group map below 65536", ["u 0 100000 65536", "g 0 65535 65536"], false],
    ["one more map below 65536", ["u 0 100000 65536", "g 0 100000 65536", "u 1000 1000 1"], false],
    ["users only", ["u 0 100000 65536"], false],
    ["groups only", ["g 0 100000 65536"], false],
    ["root not mapped", ["u 1 100000 65536", "g 0 100000 65536"], false],
    ["no map", [], false],
    [
      "a map before an empty lxc.idmap, which clears it",
      ["u 0 0 65536", "", "u 0 100000 65536", "g 0 100000 65536"],
      true,
    ],
    ["maps cleared by an empty lxc.idmap", ["u 0 100000 65536", "g 0 100000 65536", ""], false],
  ])("hasIsolatedIdMap: %s -> %s", (_label, maps, isolated) => {
    expect(
      hasIsolatedIdMap([
        { key: "lxc.uts.name", value: "x" },
        ...maps.map((value) => ({ key: "lxc.idmap", value })),
      ]),
    ).toBe(isolated);
  });
});

describe("privilegedChanges: the exact problems (line, kind, key, value, reason)", () => {
  const userns = "lxc.include = /usr/share/lxc/config/userns.conf";
  it.each([
    [
      "an added hook",
      "lxc.uts.name = a\n",
      "lxc.uts.name = a\nlxc.hook.mount = /bin/x\n",
      [
        {
          line: 2,
          key: "lxc.hook.mount",
          value: "/bin/x",
          kind: "added",
          reason: "a hook runs as root on the host",
        },
      ],
    ],
    [
      "a line liblxc reads otherwise, even one the old text had",
      "lxc.uts.name = a\rb\n",
      "lxc.uts.name = a\rb\n",
      [
        {
          line: 1,
          key: "(line)",
          value: "",
          kind: "added",
          reason: expect.stringMatching(/carriage return/) as unknown,
        },
      ],
    ],
    [
      "a removed protection, by its line in the old text",
      "lxc.uts.name = a\nlxc.include = /usr/share/lxc/config/common.conf\n",
      "lxc.uts.name = a\n",
      [
        {
          line: 2,
          key: "lxc.include",
          value: "/usr/share/lxc/config/common.conf",
          kind: "removed",
          reason: "removing it takes a protection away",
        },
      ],
    ],
    [
      "one of two equal protections removed",
      "lxc.idmap = u 0 100000 65536\nlxc.idmap = u 0 100000 65536\n",
      "lxc.idmap = u 0 100000 65536\n",
      [
        {
          line: 2,
          key: "lxc.idmap",
          value: "u 0 100000 65536",
          kind: "removed",
          reason: "removing it takes a protection away",
        },
      ],
    ],
    [
      "capabilities no longer dropped, on the old text's first lxc.cap.drop line",
      "lxc.uts.name = a\nlxc.tty.max = 1\nlxc.cap.drop = sys_module mac_admin sys_time\nlxc.cap.drop = sys_rawio\n",
      "lxc.uts.name = a\nlxc.tty.max = 1\nlxc.cap.drop = mac_admin\nlxc.cap.drop = sys_rawio\n",
      [
        {
          line: 3,
          key: "lxc.cap.drop",
          value: "sys_module sys_time",
          kind: "removed",
          reason: "the container would keep sys_module, sys_time",
        },
      ],
    ],
    [
      "capabilities cleared by an added empty lxc.cap.drop",
      "lxc.cap.drop = sys_admin\n",
      "lxc.cap.drop = sys_admin\nlxc.cap.drop =\n",
      [
        {
          line: 1,
          key: "lxc.cap.drop",
          value: "sys_admin",
          kind: "removed",
          reason: "the container would keep sys_admin",
        },
        {
          line: 2,
          key: "lxc.cap.drop",
          value: "",
          kind: "added",
          reason: "an empty lxc.cap.drop clears the dropped capabilities",
        },
      ],
    ],
    [
      "a capability dropped before a userns include, which clears it",
      `${userns}\nlxc.cap.drop = sys_admin\n`,
      `lxc.cap.drop = sys_admin\n${userns}\n`,
      [
        {
          line: 2,
          key: "lxc.include",
          value: "/usr/share/lxc/config/userns.conf",
          kind: "added",
          reason: "an admin's line moved after lxc.cap.drop = sys_admin (it may act on the lines before it)",
        },
        // The old text's lxc.cap.drop line.
        {
          line: 2,
          key: "lxc.cap.drop",
          value: "sys_admin",
          kind: "removed",
          reason: "the container would keep sys_admin",
        },
      ],
    ],
    [
      "an include moved after any line",
      "lxc.include = /etc/x.conf\nlxc.uts.name = a\n",
      "lxc.uts.name = a\nlxc.include = /etc/x.conf\n",
      [
        {
          line: 2,
          key: "lxc.include",
          value: "/etc/x.conf",
          kind: "added",
          reason: "an admin's line moved after lxc.uts.name = a (it may act on the lines before it)",
        },
      ],
    ],
    [
      "an admin's line moved after a protection of another group",
      "lxc.mount.auto = sys:rw\nlxc.cap.drop = sys_admin\n",
      "lxc.cap.drop = sys_admin\nlxc.mount.auto = sys:rw\n",
      [
        {
          line: 2,
          key: "lxc.mount.auto",
          value: "sys:rw",
          kind: "added",
          reason: "an admin's line moved after lxc.cap.drop = sys_admin (it may act on the lines before it)",
        },
      ],
    ],
    [
      "hooks reordered",
      "lxc.hook.pre-start = /bin/a\nlxc.hook.pre-start = /bin/b\n",
      "lxc.hook.pre-start = /bin/b\nlxc.hook.pre-start = /bin/a\n",
      [
        {
          line: 2,
          key: "lxc.hook.pre-start",
          value: "/bin/a",
          kind: "added",
          reason:
            "an admin's line moved after lxc.hook.pre-start = /bin/b (it may act on the lines before it)",
        },
      ],
    ],
    [
      "an include moved after a long line, named by its first 60 characters",
      `lxc.include = /etc/x.conf\nlxc.uts.name = ${"x".repeat(70)}\n`,
      `lxc.uts.name = ${"x".repeat(70)}\nlxc.include = /etc/x.conf\n`,
      [
        {
          line: 2,
          key: "lxc.include",
          value: "/etc/x.conf",
          kind: "added",
          reason: `an admin's line moved after lxc.uts.name = ${"x".repeat(60)} (it may act on the lines before it)`,
        },
      ],
    ],
    [
      "variables, admin-only once a hook is added, kept in another order",
      "lxc.environment = A=b\nlxc.environment = C=d\n",
      "lxc.environment = C=d\nlxc.environment = A=b\nlxc.hook.mount = /bin/x\n",
      [
        {
          line: 3,
          key: "lxc.hook.mount",
          value: "/bin/x",
          kind: "added",
          reason: "a hook runs as root on the host",
        },
      ],
    ],
  ])("%s", (_label, before, after, problems) => {
    expect(withoutWords(privilegedChanges(before, after, ctx))).toEqual(problems);
  });

  it.each([
    [
      "a line added before an admin's clearing line",
      "lxc.cap.drop =\n",
      "lxc.cap.drop = sys_admin\nlxc.cap.drop =\n",
    ],
    [
      "an empty lxc.cap.drop removed",
      "lxc.cap.drop =\nlxc.cap.drop = sys_admin\n",
      "lxc.cap.drop = sys_admin\n",
    ],
    [
      "a userns include moved once the ids are mapped",
      `${userns}\nlxc.cap.drop = sys_admin\n`,
      `lxc.cap.drop = sys_admin\n${userns}\nlxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n`,
    ],
    [
      "an operator's line moved around",
      "lxc.uts.name = a\nlxc.tty.max = 1\n",
      "lxc.tty.max = 1\nlxc.uts.name = a\n",
    ],
    [
      "a base config included after the dropped capabilities (only a userns file clears them)",
      "lxc.cap.drop = sys_admin\n",
      "lxc.cap.drop = sys_admin\nlxc.include = /usr/share/lxc/config/common.conf\n",
    ],
    [
      "a userns file's path as the value of another key",
      "lxc.cap.drop = sys_admin\n",
      "lxc.cap.drop = sys_admin\nlxc.uts.name = /usr/share/lxc/config/userns.conf\n",
    ],
  ])("takes %s", (_label, before, after) => {
    expect(privilegedChanges(before, after, ctx)).toEqual([]);
  });

  it("names the first refused line by its first 120 characters", () => {
    const long = `/bin/${"x".repeat(200)}`;
    expect(describePrivilegedChanges(privilegedChanges("", `lxc.hook.mount = ${long}\n`, ctx))).toBe(
      `line 1 (lxc.hook.mount = ${long.slice(0, 120)}) needs the admin role: a hook runs as root on the host`,
    );
    expect(
      describePrivilegedChanges(privilegedChanges(`lxc.include = ${long}\n`, "", { ...ctx, bindRoots: [] })),
    ).toBe(
      `removing lxc.include = ${long.slice(0, 120)} (line 1 of the current config) needs the admin role: removing it takes a protection away`,
    );
  });
});

describe("lockedLines: reasons that depend on the whole config", () => {
  it.each([
    [
      "a userns include without an isolated id map",
      "lxc.include = /usr/share/lxc/config/userns.conf\n",
      [
        {
          line: 1,
          key: "lxc.include",
          reason:
            "the userns files clear the dropped capabilities and device rules: only for a container whose ids are mapped (lxc.idmap from 65536)",
        },
      ],
    ],
    ["a userns path as another key's value", "lxc.uts.name = /usr/share/lxc/config/userns.conf\n", []],
    [
      "a variable in a config with a hook",
      "lxc.environment = A=b\nlxc.hook.mount = /bin/x\n",
      [
        {
          line: 1,
          key: "lxc.environment",
          reason: "this config has a hook, which runs as root on the host with the container's environment",
        },
        { line: 2, key: "lxc.hook.mount", reason: "a hook runs as root on the host" },
      ],
    ],
    [
      "a variable in a config with an interface script",
      "lxc.environment = A=b\nlxc.net.10.script.up = /bin/x\n",
      [
        {
          line: 1,
          key: "lxc.environment",
          reason: expect.stringMatching(/^this config has a hook/) as unknown,
        },
        { line: 2, key: "lxc.net.10.script.up", reason: "an interface script runs as root on the host" },
      ],
    ],
    [
      "a variable in a config with a key that only contains a script's name",
      "lxc.environment = A=b\nlxc.x.lxc.net.0.script.up = /bin/x\n",
      [
        {
          line: 2,
          key: "lxc.x.lxc.net.0.script.up",
          reason: expect.stringMatching(/is not among the keys/) as unknown,
        },
      ],
    ],
    [
      "a line liblxc reads otherwise",
      "lxc.uts.name = a\nlxc.uts.name = b\u00a0\n",
      [
        {
          line: 2,
          key: "(line)",
          reason: expect.stringMatching(/^The value of lxc\.uts\.name contains a Unicode space/) as unknown,
        },
      ],
    ],
  ])("%s", (_label, raw, locked) => {
    expect(withoutWords(lockedLines(raw, ctx))).toEqual(locked);
  });
});

describe("the hostile review's cases (#20)", () => {
  it("judges an interface's lines by the interface's type, and refuses a type line that undoes an admin's lines", () => {
    const admin = "lxc.net.0.type = phys\nlxc.net.0.link = adminnic1\n";
    expect(privilegedChanges(admin, admin.replace("adminnic1", "hostnic0"), ctx)).not.toEqual([]);
    expect(privilegedChanges(admin, `${admin}lxc.net.0.mtu = 1280\n`, ctx)).not.toEqual([]);
    const vlan = "lxc.net.0.type = veth\nlxc.net.0.link = br0\nlxc.net.0.veth.vlan.id = 20\n";
    expect(privilegedChanges(vlan, `${vlan}lxc.net.00.type = veth\n`, ctx)).not.toEqual([]);
    expect(privilegedChanges(vlan, `${vlan}lxc.net.0.mtu = 1400\nlxc.net.1.type = veth\n`, ctx)).toEqual([]);
  });

  it("takes no variable that changes what a hook does, nor a create= mount, nor another container's upper layer", () => {
    for (const value of ["PATH=/x", "LD_PRELOAD=/x.so", "BASH_ENV=/x", "PYTHONPATH=/x", "LXC_ROOTFS_MOUNT=/"])
      expect(adminReason("lxc.environment", value, ctx), value).not.toBeNull();
    for (const value of ["LANG=C.UTF-8", "DB_PASSWORD=x=y", "TZ=Europe/Paris", "NODE_ENV=production"])
      expect(adminReason("lxc.environment", value, ctx), value).toBeNull();
    expect(adminReason("lxc.mount.entry", "/srv/share/x mnt none bind,create=dir 0 0", ctx)).toMatch(
      /create=/,
    );
    expect(
      adminReason("lxc.rootfs.path", "overlay:/var/lib/lxc/web/rootfs:/var/lib/lxc/db/overlay/delta", ctx),
    ).not.toBeNull();
    expect(
      adminReason("lxc.rootfs.path", "overlay:/var/lib/lxc/base/rootfs:/var/lib/lxc/web/overlay/delta", ctx),
    ).toBeNull();
  });

  it("sees an admin's line changed when only a trailing Unicode space goes", () => {
    const admin = "lxc.hook.pre-start = /usr/local/bin/prepare\u00a0\n";
    expect(privilegedChanges(admin, "lxc.hook.pre-start = /usr/local/bin/prepare\n", ctx)).not.toEqual([]);
  });

  it("allows only the installed base configs whose every line is the operator's (but common.conf's known three)", () => {
    const dir = "/usr/share/lxc/config";
    if (!existsSync(dir)) return;
    const known = new Set([
      "lxc.hook.clone=/usr/share/lxc/hooks/clonehostname",
      "lxc.mount.entry=/sys/fs/fuse/connections sys/fs/fuse/connections none bind,optional 0 0",
      "lxc.include=/usr/share/lxc/config/common.conf.d/",
    ]);
    const allowed = readdirSync(dir)
      .filter((file) => file.endsWith(".common.conf") || file === "common.conf")
      .map((file) => path.join(dir, file))
      .filter((file) => adminReason("lxc.include", file, ctx) === null);
    expect(allowed).toContain(path.join(dir, "common.conf"));
    for (const file of allowed) {
      const refused = LxcConfig.parse(readFileSync(file, "utf8"))
        .entries()
        .filter((entry) => adminReason(entry.key, entry.value, ctx) !== null)
        .map((entry) => `${entry.key}=${entry.value}`)
        .filter((line) => !known.has(line));
      expect(refused, file).toEqual([]);
    }
  });
});

describe("what a viewer reads, commented lines too", () => {
  it("redacts a value left in a comment", () => {
    expect(redactSecrets("# lxc.environment = DB_PASSWORD=old\n#lxc.environment=K=v\r\n")).toBe(
      "# lxc.environment = DB_PASSWORD=[redacted]\n#lxc.environment=K=[redacted]\r\n",
    );
  });
});

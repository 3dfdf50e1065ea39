import { describe, expect, it } from "vitest";
import {
  adminReason,
  describePrivilegedChanges,
  isInBindRoots,
  lockedLines,
  privilegedChanges,
  redactSecrets,
} from "../schemas/lxc-config/privileges";

const ctx = { lxcPath: "/var/lib/lxc", name: "web", bindRoots: ["/srv/share"] };
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
    ["lxc.rootfs.options", "idmap=container"],
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
    ["lxc.include", "/usr/share/lxc/config/debian.common.conf"],
    ["lxc.rootfs.path", "dir:/var/lib/lxc/web/rootfs"],
    ["lxc.rootfs.path", "/var/lib/lxc/web/rootfs"],
    ["lxc.rootfs.path", "overlay:/var/lib/lxc/base/rootfs:/var/lib/lxc/web/overlay/delta"],
    ["lxc.mount.entry", "/srv/share/data srv/data none bind,create=dir 0 0"],
    ["lxc.mount.entry", "shm dev/shm tmpfs defaults,create=dir 0 0"],
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
    ["lxc.mount.entry", "/srv/share mnt none rbind,create=dir 0 0"],
    ["lxc.mount.entry", "/srv/share/x mnt none ro,bind,create=dir 0 0"],
    ["lxc.cgroup.devices.allow", "c 1:3"],
    ["lxc.mount.entry", "mqueue dev/mqueue mqueue defaults,optional,create=dir 0 0"],
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
      { line: 3, key: "lxc.hook.stop", reason: "a hook runs as root on the host" },
      { line: 5, key: "lxc.cap.keep", reason: "keeps capabilities LXC would drop" },
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
    [
      "a distribution's userns file in a privileged container",
      `${base}lxc.include = /usr/share/lxc/config/debian.userns.conf\n`,
    ],
    ["a bare lxc.cgroup2 clear", `${base}lxc.cgroup2 =\n`],
    ["a host variable copied in", `${base}lxc.environment = HOME\n`],
  ])("%s", (_label, after) => {
    expect(refused(after).length).toBeGreaterThan(0);
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

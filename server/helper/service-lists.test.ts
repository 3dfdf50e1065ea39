import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DISABLED_MARK,
  busyboxServices,
  isSameFile,
  judgeManager,
  parseInittab,
  parseOpenrc,
  parseProcessArgs,
  parseSystemd,
  parseSystemdText,
  parseSysvinit,
  toggleInittab,
} from "./service-lists";

/** Output captured from real guests (tests/fixtures/services): a Debian 12 container (systemd 252), busybox's. */
const fixture = (name: string) =>
  readFileSync(path.join(import.meta.dirname, "../../tests/fixtures/services", name), "utf8");

describe("judgeManager", () => {
  const none = { hasOpenrc: false, initIsBusybox: false, hasInitScripts: false };
  it("knows systemd by its init's executable or name", () => {
    expect(judgeManager({ exe: "/usr/lib/systemd/systemd", comm: "systemd\n", ...none })).toBe("systemd");
    expect(judgeManager({ exe: null, comm: "systemd\n", ...none })).toBe("systemd");
  });
  it("asks inside for the others, OpenRC first (Alpine's init is busybox running OpenRC)", () => {
    expect(
      judgeManager({ exe: "/sbin/init", comm: "init", ...none, hasOpenrc: true, initIsBusybox: true }),
    ).toBe("openrc");
    expect(judgeManager({ exe: "/sbin/init", comm: "init", ...none, initIsBusybox: true })).toBe("busybox");
    expect(judgeManager({ exe: "/sbin/init", comm: "init", ...none, hasInitScripts: true })).toBe("sysvinit");
    expect(judgeManager({ exe: "/sbin/openrc-init", comm: "openrc-init", ...none })).toBe("openrc");
  });
  it("says none for what it does not know", () => {
    expect(judgeManager({ exe: "/usr/bin/sleep", comm: "sleep", ...none })).toBeNull();
    expect(judgeManager({ exe: "/sbin/init", comm: "init", ...none })).toBeNull();
  });
  it("reads stat's two lines (busybox's init is /bin/busybox)", () => {
    expect(isSameFile("65024:2246815\n65024:2246815\n")).toBe(true);
    expect(isSameFile("65024:2188347\n")).toBe(false);
    expect(isSameFile("65024:1\n65024:2\n")).toBe(false);
  });
});

describe("parseSystemd (Debian 12, systemd 252, --output=json)", () => {
  const services = parseSystemd(
    fixture("debian12-list-units.json"),
    fixture("debian12-list-unit-files.json"),
  );
  const byName = (name: string) => services.find((service) => service.name === name);

  it("lists ssh running and enabled, with its description", () => {
    expect(byName("ssh.service")).toEqual({
      name: "ssh.service",
      description: "OpenBSD Secure Shell server",
      state: "running",
      enabled: true,
    });
  });
  it("leaves out units systemd only heard of, and templates", () => {
    expect(byName("apparmor.service")).toBeUndefined();
    expect(byName("NetworkManager.service")).toBeUndefined();
    expect(services.some((service) => service.name.includes("@."))).toBe(false);
  });
  it("says static units cannot be enabled, disabled ones are not, and lists installed files not loaded", () => {
    expect(byName("apt-daily.service")).toMatchObject({ state: "stopped", enabled: null });
    expect(byName("debug-shell.service")).toMatchObject({ state: "stopped", enabled: false });
    expect(byName("getty@tty1.service")).toMatchObject({ enabled: null });
  });
  it("reads failed units and ignores garbage", () => {
    const units = JSON.stringify([
      { unit: "db.service", load: "loaded", active: "failed", sub: "failed", description: "Database" },
      { unit: "odd.service", load: "loaded", active: "activating", sub: "start", description: "odd.service" },
      { unit: "x.socket", load: "loaded", active: "active", sub: "running", description: "socket" },
      "nonsense",
    ]);
    expect(parseSystemd(units, "not json")).toEqual([
      { name: "db.service", description: "Database", state: "failed", enabled: null },
      { name: "odd.service", description: "", state: "unknown", enabled: null },
    ]);
    expect(parseSystemd("{", "[")).toEqual([]);
  });
});

describe("parseSystemdText (the same lists as text, for a systemd without JSON)", () => {
  it("reads the same services as the JSON gives (captured from the same container)", () => {
    expect(
      parseSystemdText(fixture("debian12-list-units.txt"), fixture("debian12-list-unit-files.txt")),
    ).toEqual(parseSystemd(fixture("debian12-list-units.json"), fixture("debian12-list-unit-files.json")));
  });
  it("reads a failed unit's bullet line", () => {
    expect(
      parseSystemdText("● db.service loaded failed failed The Database\n", "db.service enabled enabled\n"),
    ).toEqual([{ name: "db.service", description: "The Database", state: "failed", enabled: true }]);
  });
});

describe("parseOpenrc (rc-status --servicelist, rc-update show -v)", () => {
  const servicelist = [
    " sshd                                                     [  started  ]",
    " crond                                                    [  started 1 day(s) 02:03:04 (0) ]",
    " nginx                                                    [  stopped  ]",
    " postgresql                                               [  crashed  ]",
    " networking                                               [  starting  ]",
    "",
  ].join("\n");
  const rcUpdate = [
    "                crond |      default",
    "           networking | boot",
    "                nginx |",
    "           postgresql |      default",
    "                 sshd |      default",
    "               udhcpc |",
  ].join("\n");
  it("reads each state and the runlevels", () => {
    expect(parseOpenrc(servicelist, rcUpdate)).toEqual([
      { name: "crond", description: "", state: "running", enabled: true },
      { name: "networking", description: "", state: "unknown", enabled: true },
      { name: "nginx", description: "", state: "stopped", enabled: false },
      { name: "postgresql", description: "", state: "failed", enabled: true },
      { name: "sshd", description: "", state: "running", enabled: true },
      { name: "udhcpc", description: "", state: "unknown", enabled: false },
    ]);
  });
});

describe("parseSysvinit (Debian's service --status-all and rc?.d links, captured)", () => {
  it("reads states and links", () => {
    expect(
      parseSysvinit(
        `${fixture("debian12-ls-init.d.txt")}README\nskeleton\n.depend.boot\ncron\n`,
        `${fixture("debian12-service-status-all.txt")} [ ? ]  cron\n`,
        `${fixture("debian12-ls-rc.d.txt")}\n/etc/rc5.d:\nK01cron\n`,
      ),
    ).toEqual([
      { name: "cron", description: "", state: "unknown", enabled: false },
      { name: "hwclock.sh", description: "", state: "stopped", enabled: false },
      { name: "networking", description: "", state: "running", enabled: false },
      { name: "procps", description: "", state: "running", enabled: false },
      { name: "ssh", description: "", state: "running", enabled: true },
    ]);
  });
});

describe("busybox init", () => {
  const inittab = fixture("busybox-inittab");
  const entries = parseInittab(inittab);

  it("names the inittab's entries by program and tty (busybox template's inittab)", () => {
    expect(entries.map((entry) => [entry.name, entry.action, entry.enabled])).toEqual([
      ["rcS", "sysinit", true],
      ["getty@tty1", "respawn", true],
      ["sh@console", "askfirst", true],
    ]);
  });
  it("says which run from ps (captured)", () => {
    expect(busyboxServices(entries, parseProcessArgs(fixture("busybox-ps.txt")))).toEqual([
      {
        name: "getty@tty1",
        description: "respawn: /bin/getty -L tty1 115200 vt100",
        state: "running",
        enabled: true,
      },
      { name: "rcS", description: "sysinit: /etc/init.d/rcS", state: "unknown", enabled: true },
      { name: "sh@console", description: "askfirst: /bin/sh", state: "stopped", enabled: true },
    ]);
  });
  it("disables and enables an entry by marking its line, nothing else", () => {
    const getty = entries.find((entry) => entry.name === "getty@tty1");
    if (!getty) throw new Error("no getty entry");
    const disabled = toggleInittab(inittab, getty, false);
    expect(disabled.split("\n")[getty.line]).toBe(
      `${DISABLED_MARK}tty1::respawn:/bin/getty -L tty1 115200 vt100`,
    );
    expect(parseInittab(disabled).find((entry) => entry.name === "getty@tty1")?.enabled).toBe(false);
    expect(toggleInittab(disabled, getty, false)).toBe(disabled);
    expect(toggleInittab(disabled, getty, true)).toBe(inittab);
  });
  it("skips comments, other actions and odd lines, numbers repeated names, keeps names valid", () => {
    const text = [
      "# a comment",
      "::shutdown:/bin/umount -a -r",
      "::ctrlaltdel:/sbin/reboot",
      "tty2::respawn:/bin/getty 38400 tty2",
      "tty2::respawn:/bin/getty 38400 tty2",
      "not a line",
      "::respawn:-/bin/sh",
      "x;y::once:/usr/bin/a;b",
    ].join("\n");
    expect(parseInittab(text).map((entry) => entry.name)).toEqual([
      "getty@tty2",
      "getty@tty2-2",
      "sh",
      "a_b@x_y",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { lookupKey, type TKeyInfo } from "../schemas/lxc-config/catalogue";
import { checkValue, isCidr, isInterfaceName, isIP, suggestKey } from "../schemas/lxc-config/validate";

/**
 * Every value type the validator knows, with values that fit and values that must not: what stands between a
 * typed line and liblxc (and, for interface names and addresses, the network commands built from them).
 */
const info = (key: string) => {
  const found = lookupKey(key);
  if (!found) throw new Error(`no catalogue entry for ${key}`);
  return found;
};
const fits = (key: string, value: string) => checkValue(key, info(key), value);

describe("value types", () => {
  it.each<[string, string[], string[], RegExp]>([
    ["lxc.start.delay", ["0", "15"], ["-1", "1.5", "x", " 1", "1 "], /whole number \(0 or more\)/],
    ["lxc.tty.max", ["0", "8"], ["007", "09", "010"], /octal/],
    ["lxc.start.order", ["0", "-5", "12"], ["+1", "1-", "x", "--1", "1.0"], /whole number$/],
    ["lxc.ephemeral", ["0", "1"], ["2", "true", "yes", "01"], /0 or 1/],
    [
      "lxc.cgroup.memory.limit_in_bytes",
      ["512M", "2G", "1024", "-1", "1.5G", "64 MiB", "8KB"],
      ["lots", "M", "1Q", "-2"],
      /a size/,
    ],
    [
      "lxc.net.0.ipv4.address",
      ["10.0.3.2/24", "10.0.3.2", "10.0.3.2/24 10.0.3.255", "255.255.255.255/32", "0.0.0.0/0"],
      [
        "10.0.3.256/24",
        "10.0.3.2/33",
        "10.0.3/24",
        "fd00::1/64",
        "10.0.3.2/24 fd00::1",
        "10.0.3.2/2/4",
        "10.0.3.2/x",
      ],
      /IPv4 address with its prefix/,
    ],
    [
      "lxc.net.0.ipv6.address",
      ["fd00::10/64", "::1", "2001:db8::1/128"],
      ["fd00::10/129", "10.0.3.2/24", "fd00::g/64", "fd00::1/64 fd00::2"],
      /IPv6 address with its prefix/,
    ],
    [
      "lxc.net.0.ipv4.gateway",
      ["10.0.3.1", "auto", "dev", "192.168.100.254"],
      ["10.0.3.1/24", "300.1.1.1", "01.2.3.4x", "::1"],
      /IPv4 address, auto or dev/,
    ],
    [
      "lxc.net.0.ipv6.gateway",
      ["fd00::1", "auto", "dev"],
      ["10.0.3.1", "fd00::1/64", "zz::1"],
      /IPv6 address, auto or dev/,
    ],
    [
      "lxc.net.0.hwaddr",
      ["00:16:3e:12:34:56", "00:16:3e:xx:xx:xx", "AA:BB:CC:DD:EE:FF"],
      ["00:16:3e:12:34", "00-16-3e-12-34-56", "00:16:3e:12:34:5g"],
      /MAC address/,
    ],
    ["lxc.cgroup.cpuset.cpus", ["0", "0-1", "0-1,3", "2,4-7"], ["0-", "a", "0,,1", "0 1", "-1"], /CPU list/],
    [
      "lxc.cgroup.devices.allow",
      ["a", "c 1:3 rwm", "b 8:* r", "c *:* m", "c 1:3"],
      ["c 1:3 x", "d 1:3 rwm", "c 1 rwm", "c 1:3 rwmr", "a b"],
      /device rule/,
    ],
    [
      "lxc.idmap",
      ["u 0 100000 65536", "g 0 100000 65536"],
      ["x 0 1 1", "u 0 1", "u 0 1 1 1", "u -1 1 1", "b 0 100000 65536"],
      /u\|g first/,
    ],
    [
      "lxc.signal.halt",
      ["SIGPWR", "9", "SIGRTMIN", "SIGRTMIN+3", "SIGRTMAX-2"],
      ["PWR", "SIGFOO", "SIG", "SIGRTMIN-3", "-9"],
      /signal number or name/,
    ],
    [
      "lxc.net.0.name",
      ["eth0", "e".repeat(15)],
      ["e".repeat(16), "eth 0", "a/b"],
      /interface name|without spaces/,
    ],
    [
      "lxc.uts.name",
      ["web", "h".repeat(64)],
      ["h".repeat(65), "é".repeat(33), "a b", "a/b"],
      /at most 64 bytes|without spaces/,
    ],
    ["lxc.cgroup.dir", ["atelier/web"], ["/abs"], /relative path/],
  ])("%s takes %j and refuses %j", (key, good, bad, message) => {
    for (const value of good) expect(fits(key, value), `${key} = ${value}`).toBeNull();
    for (const value of bad) expect(fits(key, value), `${key} = ${value}`).toMatch(message);
  });

  it("refuses a cgroup value that starts with '-' unless it is a negative number (it is lxc-cgroup's argument)", () => {
    for (const key of [
      "lxc.cgroup2.pids.max",
      "lxc.cgroup.pids.max",
      "lxc.cgroup2.cpu.max",
      "lxc.cgroup2.io.x",
    ])
      for (const value of ["-o.env", "-q", "--logfile=/etc/x", "-", "-1x", "- 1"])
        expect(fits(key, value), `${key} = ${value}`).toBe(
          'must not start with "-" unless it is a negative number such as -1',
        );
    // cgroup v1's "no limit", v2's cpu.weight.nice; values that only contain a '-'.
    expect(fits("lxc.cgroup.memory.limit_in_bytes", "-1")).toBeNull();
    expect(fits("lxc.cgroup.cpu.cfs_quota_us", "-1")).toBeNull();
    expect(fits("lxc.cgroup2.cpu.weight.nice", "-5")).toBeNull();
    expect(fits("lxc.cgroup2.cpuset.cpus", "0-3")).toBeNull();
    // Not a cgroup file's value, not an argument of lxc-cgroup.
    expect(fits("lxc.init.cmd", "-x")).toBeNull();
  });

  it("takes an empty value (it clears the key) and an enum's own values, refusing the others by name", () => {
    expect(fits("lxc.start.delay", "")).toBeNull();
    expect(fits("lxc.log.level", "DEBUG")).toBeNull();
    expect(fits("lxc.log.level", "LOUD")).toMatch(/^must be one of TRACE, DEBUG,/);
    const custom: TKeyInfo = {
      key: "x",
      type: "enum",
      values: ["a", "", "b"],
      repeatable: false,
      apply: "restart",
      section: "other",
      description: "",
    };
    expect(checkValue("x", custom, "c")).toBe("must be one of a, b");
    expect(checkValue("lxc.arch", info("lxc.arch"), "x86_64")).toBeNull();
    // Strings and paths are liblxc's to judge.
    expect(fits("lxc.init.cmd", "/sbin/init --any thing")).toBeNull();
    expect(fits("lxc.rootfs.path", "dir:/x")).toBeNull();
  });
});

describe("addresses and interface names", () => {
  it("reads address families without node:net", () => {
    expect(isIP("10.0.3.2")).toBe(4);
    expect(isIP("255.255.255.255")).toBe(4);
    for (const value of [
      "256.0.0.1",
      "1.2.3",
      "1.2.3.4.5",
      "01.2.3.4",
      "1.2.3.4 ",
      "a.b.c.d",
      "",
      "1.2.3.-4",
    ])
      expect(isIP(value), value).toBe(0);
    expect(isIP("fd00::1")).toBe(6);
    expect(isIP("::")).toBe(6);
    expect(isIP("::ffff:10.0.0.1")).toBe(6);
    for (const value of ["fd00:::1", "g::1", "fd00::1/64", "[::1]", "1:2:3:4:5:6:7:8:9", "fd00", "fd00::1 "])
      expect(isIP(value), value).toBe(0);
  });

  it("reads prefixes and IPv4 broadcast addresses", () => {
    expect(isCidr("10.0.0.0/8", 4)).toBe(true);
    expect(isCidr("10.0.0.1", 4)).toBe(true);
    expect(isCidr("10.0.0.1/0", 4)).toBe(true);
    expect(isCidr("10.0.0.1/32", 4)).toBe(true);
    expect(isCidr("10.0.0.1/33", 4)).toBe(false);
    expect(isCidr("10.0.0.1/", 4)).toBe(false);
    expect(isCidr("10.0.0.1/-1", 4)).toBe(false);
    expect(isCidr("10.0.0.1/24 10.0.0.255", 4)).toBe(true);
    expect(isCidr("10.0.0.1/24 10.0.0.256", 4)).toBe(false);
    expect(isCidr("fd00::1/128", 6)).toBe(true);
    expect(isCidr("fd00::1/129", 6)).toBe(false);
    expect(isCidr("fd00::1/64 fd00::ff", 6)).toBe(false);
    expect(isCidr("10.0.0.1/24", 6)).toBe(false);
  });

  it("takes interface names of 1 to 15 characters that cannot be read as an option", () => {
    for (const value of ["eth0", "br-lan", "a", "veth_1.2", "x".repeat(15)])
      expect(isInterfaceName(value), value).toBe(true);
    for (const value of ["", "-x", ".x", "x".repeat(16), "eth 0", "eth0;", "a/b", "eth0\nx"])
      expect(isInterfaceName(value), value).toBe(false);
  });

  it("suggests the catalogue key closest to a typo, with the interface index kept", () => {
    expect(suggestKey("lxc.net.2.lnk")).toBe("lxc.net.2.link");
    expect(suggestKey("lxc.uts.nmae")).toBe("lxc.uts.name");
    expect(suggestKey("lxc.completely.different.thing")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { LxcConfig } from "@/server/schemas/lxc-config/model";
import {
  addInterface,
  addValue,
  applyChange,
  cgroupKeys,
  cleanTyped,
  interfaceIndexes,
  isWritable,
  lineOf,
  lockProbe,
  moveInterfaceUp,
  newValueProblem,
  nextInterfaceIndex,
  problemOf,
  randomMac,
  removeInterface,
  removeValue,
  setKey,
  shownLock,
} from "./settings-form-draft";

const TEXT = [
  "# A container",
  "lxc.uts.name = web",
  "",
  "lxc.net.0.type = veth",
  "lxc.net.0.link = lxcbr0",
  "lxc.cap.drop = sys_module",
  "",
].join("\n");

describe("applyChange", () => {
  it("changes only the line it touches, comments and blank lines kept", () => {
    expect(applyChange(TEXT, setKey("lxc.uts.name", "db"))).toBe(TEXT.replace("= web", "= db"));
  });

  it("gives the text back unchanged for a change that changes nothing", () => {
    expect(applyChange(TEXT, () => undefined)).toBe(TEXT);
  });
});

describe("setKey", () => {
  it("removes the line for an empty value", () => {
    expect(applyChange(TEXT, setKey("lxc.uts.name", ""))).not.toContain("lxc.uts.name");
  });

  it("adds a missing key", () => {
    expect(LxcConfig.parse(applyChange(TEXT, setKey("lxc.tty.max", "4"))).get("lxc.tty.max")).toBe("4");
  });
});

describe("typing", () => {
  it("keeps a value on one line", () => {
    expect(cleanTyped("a\r\nb\nc")).toBe("abc");
  });

  it("waits while a value has a space at either end", () => {
    expect(isWritable("web")).toBe(true);
    expect(isWritable("web ")).toBe(false);
    expect(isWritable(" web")).toBe(false);
    expect(isWritable("")).toBe(true);
  });

  it("shows a line as key = value", () => {
    expect(lineOf("lxc.tty.max", "4")).toBe("lxc.tty.max = 4");
  });
});

describe("problemOf", () => {
  it("checks a known key's value", () => {
    expect(problemOf("lxc.tty.max", "four")).toEqual({
      message: "must be a whole number (0 or more)",
      id: "validation.values.uint",
    });
    expect(problemOf("lxc.tty.max", "010")?.message).toMatch(/octal/);
    expect(problemOf("lxc.tty.max", "4")).toBeNull();
  });

  it("has nothing to say of an empty value or an unknown key", () => {
    expect(problemOf("lxc.tty.max", "")).toBeNull();
    expect(problemOf("lxc.no.such.key", "anything")).toBeNull();
  });
});

describe("admin locks of a single-valued field", () => {
  it("asks about an empty field with a stand-in value", () => {
    expect(lockProbe("")).toBe("x");
    expect(lockProbe("4")).toBe("4");
  });

  it("shows a set field's lock", () => {
    expect(shownLock("lxc.tty.max", "4", "why")).toBe("why");
    expect(shownLock("lxc.tty.max", "4", null)).toBeNull();
  });

  it("hides an empty field's lock, unless no value of its key is an operator's", () => {
    expect(shownLock("lxc.tty.max", "", "why")).toBeNull();
    for (const key of ["lxc.cap.keep", "lxc.mount.fstab", "lxc.apparmor.raw"])
      expect(shownLock(key, "", "why")).toBe("why");
    expect(shownLock("lxc.mount.fstab", "", null)).toBeNull();
  });
});

describe("repeatable keys", () => {
  it("adds a trimmed value after its group", () => {
    const change = addValue("lxc.cap.drop", ["sys_module"], " mac_admin ");
    expect(change).not.toBeNull();
    expect(LxcConfig.parse(applyChange(TEXT, change!)).getAll("lxc.cap.drop")).toEqual([
      "sys_module",
      "mac_admin",
    ]);
  });

  it("adds nothing blank or already there", () => {
    expect(addValue("lxc.cap.drop", ["sys_module"], "  ")).toBeNull();
    expect(addValue("lxc.cap.drop", ["sys_module"], " sys_module")).toBeNull();
  });

  it("removes one value, the others kept", () => {
    const text = applyChange(TEXT, addValue("lxc.cap.drop", ["sys_module"], "mac_admin")!);
    expect(
      LxcConfig.parse(applyChange(text, removeValue("lxc.cap.drop", "sys_module"))).getAll("lxc.cap.drop"),
    ).toEqual(["mac_admin"]);
  });

  it("refuses a new value for the catalogue's reason first, then for the admin lock", () => {
    expect(newValueProblem("lxc.idmap", " nonsense ", "locked")).toEqual({
      value: {
        message: expect.stringMatching(/^must be/) as unknown,
        id: "validation.values.idmap",
      },
    });
    expect(newValueProblem("lxc.cap.drop", " sys_module ", "locked")).toEqual({ lock: "locked" });
    expect(newValueProblem("lxc.cap.drop", "sys_module", null)).toBeNull();
  });
});

describe("interfaces", () => {
  const config = (text: string) => LxcConfig.parse(text);

  it("lists each index once, in numeric order", () => {
    const text = [
      "lxc.net.10.type = veth",
      "lxc.net.2.type = veth",
      "lxc.net.2.link = br0",
      "lxc.netx = 1",
    ].join("\n");
    expect(interfaceIndexes(config(text))).toEqual(["2", "10"]);
  });

  it("gives a new interface the index after the highest", () => {
    expect(nextInterfaceIndex([])).toBe(0);
    expect(nextInterfaceIndex(["0", "3"])).toBe(4);
  });

  it("adds a veth interface, up, named after its index", () => {
    const text = applyChange("", addInterface(1, "00:16:3e:00:00:01"));
    expect(text).toBe(
      [
        "lxc.net.1.type = veth",
        "lxc.net.1.flags = up",
        "lxc.net.1.name = eth1",
        "lxc.net.1.hwaddr = 00:16:3e:00:00:01",
        "",
      ].join("\n"),
    );
  });

  it("removes every line of one interface, another's kept", () => {
    const text = applyChange(TEXT, addInterface(1, "00:16:3e:00:00:01"));
    const after = config(applyChange(text, removeInterface("0")));
    expect(interfaceIndexes(after)).toEqual(["1"]);
    expect(after.get("lxc.uts.name")).toBe("web");
  });

  it("moves an interface above the one listed before it", () => {
    const text = applyChange(TEXT, addInterface(3, "00:16:3e:00:00:03"));
    const after = config(applyChange(text, moveInterfaceUp(["0", "3"], 1)));
    expect(after.get("lxc.net.0.name")).toBe("eth3");
    expect(after.get("lxc.net.3.link")).toBe("lxcbr0");
  });

  it("makes MAC addresses in LXC's prefix", () => {
    expect(randomMac(() => 0)).toBe("00:16:3e:00:00:00");
    expect(randomMac(() => 0.999)).toBe("00:16:3e:ff:ff:ff");
    expect(randomMac()).toMatch(/^00:16:3e(:[0-9a-f]{2}){3}$/);
  });
});

describe("cgroupKeys", () => {
  it("names cgroup v2's keys", () => {
    expect(cgroupKeys("v2")).toMatchObject({
      prefix: "lxc.cgroup2",
      memory: "lxc.cgroup2.memory.max",
      swap: "lxc.cgroup2.memory.swap.max",
      cpuWeight: "lxc.cgroup2.cpu.weight",
      cpuWeightPlaceholder: "100",
      cpuset: "lxc.cgroup2.cpuset.cpus",
      pids: "lxc.cgroup2.pids.max",
      devicesAllow: "lxc.cgroup2.devices.allow",
    });
  });

  it("names cgroup v1's keys", () => {
    expect(cgroupKeys("v1")).toMatchObject({
      prefix: "lxc.cgroup",
      memory: "lxc.cgroup.memory.limit_in_bytes",
      swap: "lxc.cgroup.memory.memsw.limit_in_bytes",
      cpuWeight: "lxc.cgroup.cpu.shares",
      cpuWeightPlaceholder: "1024",
      devicesDeny: "lxc.cgroup.devices.deny",
    });
  });
});

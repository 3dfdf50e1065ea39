import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigValueError, divergences, groupOf, LxcConfig } from "../schemas/lxc-config/model";
import { shippedConfigs } from "./shipped-configs";

const fixtures = path.join(import.meta.dirname, "__fixtures__");
const read = (file: string) => readFileSync(file, "utf8");

describe("LxcConfig round trip: parse then serialise gives the same bytes", () => {
  const files = [
    ...shippedConfigs(),
    path.join(fixtures, "busybox-template.conf"),
    path.join(fixtures, "edge-cases.conf"),
  ];

  it("covers LXC's shipped configs", () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it.each(files.map((file) => [path.relative("/", file), file]))("%s", (_label, file) => {
    const text = read(file);
    expect(LxcConfig.parse(text).toString()).toBe(text);
  });

  it.each(["", "\n", "lxc.tty.max = 1", "\n\n# only a comment\n"])("%j", (text) => {
    expect(LxcConfig.parse(text).toString()).toBe(text);
  });
});

describe("LxcConfig reading", () => {
  const config = LxcConfig.parse(read(path.join(fixtures, "edge-cases.conf")));

  it("reads entries with their line numbers, whatever the spacing and line endings", () => {
    expect(config.get("lxc.utsname")).toBe("legacy");
    expect(config.get("lxc.network.type")).toBe("veth");
    expect(config.entries().find((entry) => entry.key === "lxc.network.type")?.line).toBe(3);
  });

  it("keeps repeated keys in order, and values that contain '='", () => {
    expect(config.getAll("lxc.idmap")).toEqual(["u 0 100000 65536", "g 0 100000 65536"]);
    expect(config.getAll("lxc.cgroup.devices.allow")).toEqual(["c 1:3 rwm", "c 5:1 rwm"]);
    expect(config.get("lxc.environment")).toBe("A=b=c");
    expect(config.get("lxc.apparmor.profile")).toBe("");
  });

  it("marks the lines LXC ignores", () => {
    expect(
      config.parsedLines.filter((line) => line.kind === "ignored").map((line) => line.raw.trim()),
    ).toEqual(["// a legacy comment LXC silently ignores", "no equals sign here"]);
  });
});

describe("LxcConfig editing touches only the lines it changes", () => {
  const original = read(path.join(fixtures, "busybox-template.conf"));
  const changedLines = (before: string, after: string) => {
    const a = before.split("\n");
    const b = after.split("\n");
    return { removed: a.filter((line) => !b.includes(line)), added: b.filter((line) => !a.includes(line)) };
  };

  it("rewrites a key in place", () => {
    const edited = LxcConfig.parse(original).set("lxc.tty.max", "2").toString();
    expect(changedLines(original, edited)).toEqual({
      removed: ["lxc.tty.max = 5"],
      added: ["lxc.tty.max = 2"],
    });
    expect(edited.split("\n").indexOf("lxc.tty.max = 2")).toBe(
      original.split("\n").indexOf("lxc.tty.max = 5"),
    );
  });

  it("keeps the spacing of the line it rewrites", () => {
    const text = "lxc.tty.max=5\n\tlxc.pty.max   =  1  \n";
    expect(LxcConfig.parse(text).set("lxc.pty.max", "4").toString()).toBe(
      "lxc.tty.max=5\n\tlxc.pty.max   =  4  \n",
    );
  });

  it("adds a new key after the last line of its group", () => {
    const edited = LxcConfig.parse(original)
      .add("lxc.net.0.ipv4.address", "10.0.3.5/24")
      .toString()
      .split("\n");
    expect(edited.indexOf("lxc.net.0.ipv4.address = 10.0.3.5/24")).toBe(
      edited.indexOf("lxc.net.0.flags = up") + 1,
    );
    const mounts = LxcConfig.parse(original)
      .add("lxc.mount.entry", "/srv srv none bind 0 0")
      .toString()
      .split("\n");
    expect(mounts.indexOf("lxc.mount.entry = /srv srv none bind 0 0")).toBe(mounts.length - 2);
  });

  it("adds a key of a new group at the end, keeping the final newline", () => {
    const edited = LxcConfig.parse(original).set("lxc.start.auto", "1").toString();
    expect(edited.endsWith("\nlxc.start.auto = 1\n")).toBe(true);
    expect(LxcConfig.parse("").set("lxc.start.auto", "1").toString()).toBe("lxc.start.auto = 1\n");
  });

  it("removes one value of a repeated key, or all of them", () => {
    const config = LxcConfig.parse(original).remove("lxc.mount.entry", "/lib lib none ro,bind 0 0");
    expect(config.getAll("lxc.mount.entry")).toHaveLength(6);
    expect(config.remove("lxc.mount.entry").getAll("lxc.mount.entry")).toEqual([]);
    expect(config.get("lxc.mount.auto")).toBe("cgroup:mixed proc:mixed sys:ro");
  });

  it("refuses keys and values that could break out of their line", () => {
    const config = LxcConfig.parse(original);
    expect(() => config.set("lxc.tty.max", "1\nlxc.hook.pre-start = /bin/sh")).toThrow(ConfigValueError);
    expect(() => config.set("lxc.tty.max", "1\r")).toThrow(ConfigValueError);
    expect(() => config.set("lxc.tty.max = 1\nlxc.x", "1")).toThrow(ConfigValueError);
    expect(() => config.set("LXC.Tty", "1")).toThrow(ConfigValueError);
    expect(() => config.set("lxc.tty.max", " 1")).toThrow(ConfigValueError);
    expect(config.toString()).toBe(original);
  });
});

describe("groupOf", () => {
  it.each([
    ["lxc.net.0.link", "lxc.net.0"],
    ["lxc.net.12.ipv4.address", "lxc.net.12"],
    ["lxc.cgroup.memory.limit_in_bytes", "lxc.cgroup"],
    ["lxc.cgroup2.memory.max", "lxc.cgroup2"],
    ["lxc.mount.entry", "lxc.mount"],
    ["lxc.tty.max", "lxc.tty"],
  ])("%s -> %s", (key, group) => {
    expect(groupOf(key)).toBe(group);
  });
});

describe("reordering interfaces", () => {
  it("swaps two interfaces' indexes in place, keeping every other byte", () => {
    const text =
      "lxc.net.0.type = veth\nlxc.net.0.link  =  br0\n# second\nlxc.net.1.type = macvlan\nlxc.net.10.type = veth\n";
    expect(LxcConfig.parse(text).swapInterfaces(0, 1).toString()).toBe(
      "lxc.net.1.type = veth\nlxc.net.1.link  =  br0\n# second\nlxc.net.0.type = macvlan\nlxc.net.10.type = veth\n",
    );
  });
});

describe("LxcConfig reads each line as liblxc 5 does (confile.c parse_line)", () => {
  const read = (text: string) =>
    LxcConfig.parse(text)
      .entries()
      .map(({ key, value }) => [key, value]);

  it("strips one pair of outer quotes, of either kind, and only a matching pair", () => {
    expect(
      read(
        `lxc.cap.drop = ""\nlxc.cap.drop = ''\nlxc.uts.name = "a b"\nlxc.init.cmd = "x'\nlxc.uts.name = ""x""\nlxc.uts.name = "\n`,
      ),
    ).toEqual([
      ["lxc.cap.drop", ""],
      ["lxc.cap.drop", ""],
      ["lxc.uts.name", "a b"],
      ["lxc.init.cmd", `"x'`],
      ["lxc.uts.name", `"x"`],
      ["lxc.uts.name", `"`],
    ]);
  });

  it("trims only spaces and tabs around keys and values, and splits at the first =", () => {
    expect(read("\t lxc.uts.name \t=\t a=b \t\nlxc.tty.max=1\n")).toEqual([
      ["lxc.uts.name", "a=b"],
      ["lxc.tty.max", "1"],
    ]);
  });

  it("ignores what does not start with lxc. (even with =), and marks an lxc. line without = as one liblxc refuses", () => {
    const lines = LxcConfig.parse("foo = bar\nLXC.uts.name = x\n  # c\nlxc.uts.name\n").parsedLines;
    expect(lines.map((line) => line.kind)).toEqual(["ignored", "ignored", "comment", "invalid", "blank"]);
  });

  it("keeps the bytes of a quoted line when another line is edited, and rewrites a quoted one without quotes", () => {
    const text = `lxc.uts.name = "web"\nlxc.tty.max = 1\n`;
    expect(LxcConfig.parse(text).set("lxc.tty.max", "2").toString()).toBe(
      `lxc.uts.name = "web"\nlxc.tty.max = 2\n`,
    );
    expect(LxcConfig.parse(text).set("lxc.uts.name", "db").toString()).toBe(
      "lxc.uts.name = db\nlxc.tty.max = 1\n",
    );
    expect(() => LxcConfig.parse(text).set("lxc.uts.name", '"db"')).toThrow(ConfigValueError);
  });
});

describe("divergences: where liblxc could read the text otherwise than the model", () => {
  it.each([
    ["a \\r inside a comment", "# a\rlxc.hook.mount = x\n", 1],
    ["a \\r inside a value", "lxc.uts.name = x\rlxc.hook.mount = y\n", 1],
    ["a NUL byte", "lxc.uts.name = x\n\0lxc.hook.mount = y\n", 2],
    ["a form feed before a key", "\flxc.hook.mount = y\n", 1],
    ["a Unicode line separator in a value", "lxc.uts.name = a\u2028b\n", 1],
    ["a no-break space after a key", "lxc.uts.name\u00a0= a\n", 1],
  ])("%s", (_label, text, line) => {
    expect(divergences(text).map((problem) => problem.line)).toEqual([line]);
  });

  it("takes CRLF files, tabs, and Unicode in comments and values", () => {
    expect(
      divergences("lxc.uts.name = a\r\n# café\u00a0: note\r\nlxc.environment = NOTE=été\tok\r\n"),
    ).toEqual([]);
  });
});

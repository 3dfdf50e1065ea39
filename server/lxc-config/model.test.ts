import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { englishOf } from "../i18n/validation-words";
import { ConfigValueError, divergences, groupOf, hasControl, LxcConfig } from "../schemas/lxc-config/model";
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
    ["lxc.net", "lxc.net"],
    ["lxc.net.x.type", "lxc.net"],
    ["lxc.net.1a.type", "lxc.net"],
    ["lxc.net.a1.type", "lxc.net"],
    ["lxc.cgroup.0.x", "lxc.cgroup"],
  ])("%s -> %s", (key, group) => {
    expect(groupOf(key)).toBe(group);
  });
});

describe("LxcConfig editing: the edge cases of a file", () => {
  it.each([
    ["an empty file", "", "lxc.start.auto = 1\n"],
    ["a lone newline", "\n", "\nlxc.start.auto = 1\n"],
    ["a file without a final newline", "lxc.tty.max = 1", "lxc.tty.max = 1\nlxc.start.auto = 1"],
    ["a CRLF file", "lxc.tty.max = 1\r\n", "lxc.tty.max = 1\r\nlxc.start.auto = 1\n"],
    ["a file of comments only", "# a\n# b\n", "# a\n# b\nlxc.start.auto = 1\n"],
  ])("adds a key to %s", (_label, text, edited) => {
    expect(LxcConfig.parse(text).add("lxc.start.auto", "1").toString()).toBe(edited);
    expect(LxcConfig.parse(text).set("lxc.start.auto", "1").toString()).toBe(edited);
  });

  it.each([
    ["a CRLF line", "lxc.tty.max = 1\r\nlxc.pty.max = 1\r\n", "lxc.tty.max = 4\r\nlxc.pty.max = 1\r\n"],
    ["a quoted line", "lxc.tty.max = '1'\n", "lxc.tty.max = 4\n"],
    ["a line without a final newline", "lxc.tty.max=1", "lxc.tty.max=4"],
    [
      "the last of repeated lines",
      "lxc.tty.max = 1\nlxc.tty.max = 2\n",
      "lxc.tty.max = 1\nlxc.tty.max = 4\n",
    ],
  ])("sets a key on %s, keeping every other byte", (_label, text, edited) => {
    expect(LxcConfig.parse(text).set("lxc.tty.max", "4").toString()).toBe(edited);
  });

  it.each([
    ["the first line", "lxc.tty.max = 1\nlxc.pty.max = 1\n", "lxc.tty.max", undefined, "lxc.pty.max = 1\n"],
    [
      "a CRLF line",
      "lxc.pty.max = 1\r\nlxc.tty.max = 1\r\n",
      "lxc.tty.max",
      undefined,
      "lxc.pty.max = 1\r\n",
    ],
    [
      "a quoted line, by liblxc's value",
      'lxc.cap.drop = "a"\nlxc.cap.drop = b\n',
      "lxc.cap.drop",
      "a",
      "lxc.cap.drop = b\n",
    ],
    [
      "one value of several",
      "lxc.cap.drop = a\nlxc.cap.drop = b\n",
      "lxc.cap.drop",
      "b",
      "lxc.cap.drop = a\n",
    ],
    ["nothing, when no line has the value", "lxc.cap.drop = a\n", "lxc.cap.drop", "b", "lxc.cap.drop = a\n"],
    [
      "neither comments nor ignored lines",
      "# lxc.cap.drop = a\nlxc.cap.drop\n",
      "lxc.cap.drop",
      undefined,
      "# lxc.cap.drop = a\nlxc.cap.drop\n",
    ],
  ])("removes %s", (_label, text, key, value, edited) => {
    expect(LxcConfig.parse(text).remove(key, value).toString()).toBe(edited);
  });

  it("swaps interfaces on CRLF and quoted lines, leaving comments and other indexes alone", () => {
    const text =
      "# lxc.net.0.type = veth\r\n lxc.net.0.link = 'br0'\r\nlxc.net.1.type=veth\r\nlxc.net.2.type = veth\r\n";
    const swapped = LxcConfig.parse(text).swapInterfaces(1, 0);
    expect(swapped.toString()).toBe(
      "# lxc.net.0.type = veth\r\n lxc.net.1.link = 'br0'\r\nlxc.net.0.type=veth\r\nlxc.net.2.type = veth\r\n",
    );
    expect(swapped.get("lxc.net.1.link")).toBe("br0");
  });

  it("reads a value of spaces and tabs only as empty, and keeps its bytes", () => {
    const text = "lxc.apparmor.profile =\t \nlxc.uts.name=\n";
    expect(LxcConfig.parse(text).entries()).toEqual([
      { line: 1, key: "lxc.apparmor.profile", value: "" },
      { line: 2, key: "lxc.uts.name", value: "" },
    ]);
    expect(LxcConfig.parse(text).toString()).toBe(text);
  });
});

describe("what reaches a config file", () => {
  it.each([
    ["a tab", "a\tb", false],
    ["a space", "a b", false],
    ["a newline", "a\nb", true],
    ["a carriage return", "a\r", true],
    ["a NUL byte", "\0", true],
    ["the last control character, U+001F", "\u001f", true],
    ["DEL", "\u007f", true],
    ["U+0080", "\u0080", false],
    ["a letter", "x", false],
  ])("hasControl: %s -> %s", (_label, value, control) => {
    expect(hasControl(value)).toBe(control);
  });

  const refusal = (key: string, value: string) => {
    try {
      LxcConfig.parse("").set(key, value);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValueError);
      const { name, field, message, id, params } = error as ConfigValueError;
      // The message is its sentence in the catalogue, worded from the id and values the error carries.
      expect(englishOf({ id, params })).toBe(message);
      return { name, field, message };
    }
    return null;
  };
  it.each([
    [
      "a key that is not one",
      "lxc.tty.max = 1\nlxc.x",
      "1",
      "key",
      /^"lxc\.tty\.max = 1\nlxc\.x" is not an LXC config key/,
    ],
    [
      "a newline",
      "lxc.tty.max",
      "1\nlxc.hook.pre-start = /bin/sh",
      "value",
      /^The value of lxc\.tty\.max contains a newline or another control character$/,
    ],
    ["DEL", "lxc.tty.max", "1\u007f", "value", /contains a newline or another control character/],
    [
      "a leading space",
      "lxc.tty.max",
      " 1",
      "value",
      /^The value of lxc\.tty\.max starts or ends with spaces$/,
    ],
    ["a trailing tab", "lxc.tty.max", "1\t", "value", /starts or ends with spaces/],
    [
      "outer quotes",
      "lxc.uts.name",
      '"db"',
      "value",
      /^The value of lxc\.uts\.name would not reach LXC as written/,
    ],
    ["single quotes", "lxc.uts.name", "'db'", "value", /would not reach LXC as written/],
    ["a no-break space", "lxc.uts.name", "a\u00a0b", "value", /would not reach LXC as written/],
    ["a C1 control character", "lxc.uts.name", "a\u0085b", "value", /would not reach LXC as written/],
  ])("refuses %s, saying which part and why", (_label, key, value, field, message) => {
    expect(refusal(key, value)).toMatchObject({
      name: "ConfigValueError",
      field,
      message: expect.stringMatching(message) as unknown,
    });
  });

  it.each([
    ["a tab inside", "lxc.environment", "A=b\tc"],
    ["one quote", "lxc.uts.name", '"'],
    ["quotes inside", "lxc.init.cmd", 'sh -c "x"y'],
    ["Unicode letters", "lxc.environment", "NOTE=été"],
  ])("takes %s", (_label, key, value) => {
    expect(refusal(key, value)).toBeNull();
    expect(LxcConfig.parse("").set(key, value).get(key)).toBe(value);
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

  const VALUE = "LXC could read it otherwise (only spaces and tabs separate)";
  it.each([
    [
      "a NUL byte",
      "lxc.uts.name = a\nlxc.tty.max = 1\0\n",
      { line: 2, message: "This line contains a NUL byte: LXC stops reading the file there" },
    ],
    [
      "a NUL byte in a comment",
      "# a\0b\n",
      { line: 1, message: "This line contains a NUL byte: LXC stops reading the file there" },
    ],
    [
      "a \\r inside a CRLF line",
      "lxc.uts.name = a\rb\r\n",
      {
        line: 1,
        message: expect.stringMatching(
          /^This line contains a carriage return \(\\r\) inside it: LXC starts a new line there/,
        ) as unknown,
      },
    ],
    [
      "a no-break space ending a value",
      "lxc.uts.name = a\u00a0\n",
      {
        line: 1,
        key: "lxc.uts.name",
        message: `The value of lxc.uts.name contains a Unicode space (U+00A0): ${VALUE}`,
      },
    ],
    [
      "a no-break space ending a CRLF line",
      "lxc.uts.name = a\u00a0\r\n",
      {
        line: 1,
        key: "lxc.uts.name",
        message: `The value of lxc.uts.name contains a Unicode space (U+00A0): ${VALUE}`,
      },
    ],
    [
      "a line separator",
      "\nlxc.uts.name = a\u2028b\n",
      {
        line: 2,
        key: "lxc.uts.name",
        message: `The value of lxc.uts.name contains a Unicode space (U+2028): ${VALUE}`,
      },
    ],
    [
      "DEL",
      "lxc.uts.name = a\u007f\n",
      {
        line: 1,
        key: "lxc.uts.name",
        message: `The value of lxc.uts.name contains a control character (U+007F): ${VALUE}`,
      },
    ],
    [
      "U+009F, the last C1 control",
      "lxc.uts.name = a\u009f\n",
      {
        line: 1,
        key: "lxc.uts.name",
        message: `The value of lxc.uts.name contains a control character (U+009F): ${VALUE}`,
      },
    ],
    [
      "a vertical tab",
      "lxc.uts.name = a\vb\n",
      {
        line: 1,
        key: "lxc.uts.name",
        message: `The value of lxc.uts.name contains a control character (U+000B): ${VALUE}`,
      },
    ],
    [
      "a no-break space before a key (an ignored line)",
      "\u00a0lxc.hook.mount = x\n",
      { line: 1, message: `This line contains a Unicode space (U+00A0): ${VALUE}` },
    ],
    [
      "a form feed in a line liblxc refuses",
      "lxc.hook\f\n",
      { line: 1, message: `This line contains a control character (U+000C): ${VALUE}` },
    ],
  ])("says where and what: %s", (_label, text, problem) => {
    const found = divergences(text);
    expect(found.map(({ id: _id, params: _params, ...rest }) => rest)).toStrictEqual([problem]);
    // The English is the catalogue's sentence, worded from the id and values the problem carries.
    for (const { message, ...words } of found) expect(englishOf(words)).toBe(message);
  });

  it.each([
    ["a form feed on a blank line", "\f\n \f\t\r\n"],
    ["a control character in a comment", "# a\u0007b\n"],
    ["a tab in a value", "lxc.environment = A=b\tc\n"],
    ["U+00A1 (a letter)", "lxc.uts.name = \u00a1\n"],
  ])("finds nothing in %s", (_label, text) => {
    expect(divergences(text)).toEqual([]);
  });

  it("takes CRLF files, tabs, and Unicode in comments and values", () => {
    expect(
      divergences("lxc.uts.name = a\r\n# café\u00a0: note\r\nlxc.environment = NOTE=été\tok\r\n"),
    ).toEqual([]);
  });
});

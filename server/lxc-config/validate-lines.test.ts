import { describe, expect, it } from "vitest";
import {
  fixProblem,
  migrateLegacy,
  modernKey,
  onbootValue,
  validateConfig,
} from "../schemas/lxc-config/validate";

/** The validator's verdict line by line: what each problem says, on which line, and the one-step migration. */
describe("validateConfig, line by line", () => {
  it("says why a line without = is ignored, and that // is no comment", () => {
    expect(validateConfig("just words\n// a comment?\n")).toEqual([
      {
        line: 1,
        severity: "warning",
        message: 'LXC ignores this line (it has no "=")',
        id: "validation.lint.ignored",
      },
      {
        line: 2,
        severity: "warning",
        message: 'LXC ignores this line (it has no "="; "//" is not a comment in LXC configs, "#" is)',
        id: "validation.lint.ignoredSlashes",
      },
    ]);
  });

  it("refuses control characters, unknown keys (with a suggestion or without) and bad values, naming the key", () => {
    expect(validateConfig("lxc.uts.name = a\u0007b\n")).toEqual([
      {
        line: 1,
        key: "lxc.uts.name",
        severity: "error",
        message:
          "The value of lxc.uts.name contains a control character (U+0007): LXC could read it otherwise (only spaces and tabs separate)",
        id: "validation.lint.valueControlCode",
        params: { key: "lxc.uts.name", code: "U+0007" },
      },
    ]);
    expect(validateConfig("lxc.uts.nmae = a\n")[0]?.message).toBe(
      "Unknown key lxc.uts.nmae: did you mean lxc.uts.name?",
    );
    expect(validateConfig("lxc.zzzzzzzzzzzz.qqqqqqq = a\n")[0]?.message).toBe(
      "Unknown key lxc.zzzzzzzzzzzz.qqqqqqq",
    );
    expect(validateConfig("lxc.start.delay = soon\n")).toEqual([
      {
        line: 1,
        key: "lxc.start.delay",
        severity: "error",
        message: 'lxc.start.delay must be a whole number (0 or more) (got "soon")',
        id: "validation.lint.badValue",
        params: { key: "lxc.start.delay", problem: { id: "validation.values.uint" }, value: "soon" },
      },
    ]);
    // A CR at the end of a line (a file from Windows) is no control character.
    expect(validateConfig("lxc.uts.name = a\r\n")).toEqual([]);
  });

  it("warns once for a single-valued key set twice, not for an empty reset or a repeatable key", () => {
    expect(validateConfig("lxc.uts.name = a\nlxc.uts.name = b\n")).toEqual([
      {
        line: 2,
        key: "lxc.uts.name",
        severity: "warning",
        message: "lxc.uts.name is also set on line 1: the last value wins",
        id: "validation.lint.setTwice",
        params: { key: "lxc.uts.name", line: "1" },
      },
    ]);
    expect(validateConfig("lxc.uts.name = a\nlxc.uts.name =\n")).toEqual([]);
    expect(validateConfig("lxc.group = a\nlxc.group = b\n")).toEqual([]);
  });

  it("needs a type for every interface, reported on its first line", () => {
    expect(validateConfig("lxc.uts.name = a\nlxc.net.3.link = br0\nlxc.net.3.flags = up\n")).toEqual([
      {
        line: 2,
        severity: "error",
        message: "Interface lxc.net.3 has no lxc.net.3.type (veth, macvlan, phys, empty...)",
        id: "validation.lint.noType",
        params: { index: "3" },
      },
    ]);
    expect(validateConfig("lxc.net.3.type = veth\nlxc.net.3.link = br0\n")).toEqual([]);
  });

  it("maps legacy keys as lxc-update-config does, sections of lxc.network.type numbering the interfaces", () => {
    expect(modernKey("lxc.utsname", 0)).toBe("lxc.uts.name");
    expect(modernKey("lxc.limit.nofile", 0)).toBe("lxc.prlimit.nofile");
    expect(modernKey("lxc.network.type", 2)).toBe("lxc.net.2.type");
    expect(modernKey("lxc.network.ipv4", 1)).toBe("lxc.net.1.ipv4.address");
    expect(modernKey("lxc.network.ipv6", 0)).toBe("lxc.net.0.ipv6.address");
    expect(modernKey("lxc.network.5.link", 0)).toBe("lxc.net.5.link");
    expect(modernKey("lxc.network.5.ipv4", 0)).toBe("lxc.net.5.ipv4.address");
    expect(modernKey("lxc.network.ipv4.gateway", 3)).toBe("lxc.net.3.ipv4.gateway");
    expect(modernKey("lxc.uts.name", 0)).toBeNull();
    const text =
      "lxc.network.type = veth\nlxc.network.link = br0\nlxc.network.type = veth\nlxc.network.link = br1\n";
    expect(validateConfig(text).map((problem) => problem.replacement)).toEqual([
      "lxc.net.0.type = veth",
      "lxc.net.0.link = br0",
      "lxc.net.1.type = veth",
      "lxc.net.1.link = br1",
    ]);
    expect(validateConfig("lxc.rootfs.backend = dir\n")).toEqual([
      {
        line: 1,
        key: "lxc.rootfs.backend",
        severity: "error",
        message:
          "lxc.rootfs.backend is a legacy key: LXC now reads the backend from lxc.rootfs.path (dir:/path)",
        id: "validation.lint.rootfsBackend",
        replacement: "",
      },
    ]);
    expect(validateConfig("lxc.tty = 4\n")[0]?.message).toBe(
      "lxc.tty is a legacy key that LXC 3 and later refuse: it is now lxc.tty.max",
    );
  });

  it("migrates in one step, keeping indentation, CRLF endings and every other line, dropping lxc.rootfs.backend", () => {
    const text = "# mine\n  lxc.utsname = a\r\nlxc.rootfs.backend = dir\nlxc.start.auto = 1\n";
    expect(migrateLegacy(text)).toBe("# mine\n  lxc.uts.name = a\r\nlxc.start.auto = 1\n");
    expect(migrateLegacy("lxc.uts.name = a\n")).toBe("lxc.uts.name = a\n");
  });

  it("offers lxc.start.auto for the seed tutorial's lxc.onboot (which liblxc refuses), 1 for yes and 0 for no", () => {
    expect(validateConfig("lxc.uts.name = a\nlxc.onboot = yes\n")).toEqual([
      {
        line: 2,
        key: "lxc.onboot",
        severity: "error",
        message:
          "lxc.onboot is not an LXC key (the tutorial's boot script read it; LXC refuses the config): LXC starts a container with the host from lxc.start.auto = 1",
        id: "validation.lint.onboot",
        params: { auto: "1" },
        replacement: "lxc.start.auto = 1",
      },
    ]);
    for (const [value, auto] of [
      ["yes", "1"],
      ["YES", "1"],
      ["1", "1"],
      ["true", "1"],
      ["no", "0"],
      ["0", "0"],
      ["false", "0"],
      ["", "0"],
    ] as const) {
      expect(onbootValue(value)).toBe(auto);
      expect(validateConfig(`lxc.onboot = ${value}\n`)[0]?.replacement).toBe(`lxc.start.auto = ${auto}`);
    }
    // Not the "did you mean" of an unknown key: its own sentence.
    expect(validateConfig("lxc.onboot = no\n").map((problem) => problem.id)).toEqual([
      "validation.lint.onboot",
    ]);
  });

  it("fixes one line: lxc.onboot = no becomes lxc.start.auto = 0, indentation and CRLF kept, the rest untouched", () => {
    const text = "lxc.utsname = a\n  lxc.onboot = no\r\nlxc.tty.max = 1\n";
    const onboot = validateConfig(text).find((problem) => problem.key === "lxc.onboot");
    expect(onboot).toBeDefined();
    const fixed = fixProblem(text, onboot ?? { line: 0 });
    expect(fixed).toBe("lxc.utsname = a\n  lxc.start.auto = 0\r\nlxc.tty.max = 1\n");
    expect(validateConfig(fixed).map((problem) => problem.key)).toEqual(["lxc.utsname"]);
    expect(fixProblem(text, { line: 1 })).toBe(text);
    expect(fixProblem("lxc.rootfs.backend = dir\nlxc.tty.max = 1\n", { line: 1, replacement: "" })).toBe(
      "lxc.tty.max = 1\n",
    );
    expect(migrateLegacy("lxc.onboot = yes\n")).toBe("lxc.start.auto = 1\n");
  });

  it("sorts problems by line", () => {
    const lines = validateConfig("lxc.net.0.link = br0\nlxc.bogus = 1\nwords\n").map(
      (problem) => problem.line,
    );
    expect(lines).toEqual([1, 2, 3]);
  });
});

describe("validateConfig, whole config", () => {
  it("warns whoever adds a hook that it runs with the container's variables", () => {
    const problems = validateConfig(
      "lxc.environment = PATH=/var/lib/lxc/web/rootfs/bin\nlxc.hook.mount = /usr/local/bin/prepare\n",
    );
    expect(problems.map(({ line, severity, key }) => ({ line, severity, key }))).toEqual([
      { line: 1, severity: "warning", key: "lxc.environment" },
    ]);
    expect(problems[0]?.message).toContain("line 2");
    expect(validateConfig("lxc.environment = LANG=C\n")).toEqual([]);
  });
});

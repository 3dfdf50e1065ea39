import { describe, expect, it } from "vitest";
import {
  autostartOrder,
  autostartValues,
  dependencyProblems,
  isInGroupPass,
  parseBootGroups,
  parseGroupList,
  scheduleWithDependencies,
  ZDependency,
} from "./autostart";

const container = (name: string, text: string) => ({ name, values: autostartValues(text) });
const names = (list: { name: string }[]) => list.map((entry) => entry.name);

describe("autostart values, read as liblxc reads them", () => {
  it("takes the last line, resets on an empty value, and splits groups on spaces and tabs", () => {
    expect(
      autostartValues(
        [
          "lxc.start.auto = 0",
          "lxc.start.auto = 1",
          "lxc.start.order = 0x10",
          "lxc.start.delay = 010",
          "lxc.group = a b\tc",
          "lxc.group = d",
          "",
        ].join("\n"),
      ),
    ).toEqual({ auto: true, order: 16, delay: 8, groups: ["a", "b", "c", "d"], loadable: true });
    expect(
      autostartValues("lxc.group = a\nlxc.group =\nlxc.group = b\nlxc.start.order = -5\n"),
    ).toMatchObject({
      groups: ["b"],
      order: -5,
    });
    expect(autostartValues("lxc.start.auto = 1\nlxc.start.auto =\n").auto).toBe(false);
    expect(autostartValues('lxc.start.auto = "1"\n').auto).toBe(true);
  });

  it("marks what liblxc refuses as not loadable (lxc-autostart never sees such a container)", () => {
    expect(autostartValues("lxc.start.auto = 2\n").loadable).toBe(false);
    expect(autostartValues("lxc.start.delay = -1\n").loadable).toBe(false);
    expect(autostartValues("lxc.start.order = 1x\n").loadable).toBe(false);
    expect(autostartValues("lxc.start.order = 08\n").loadable).toBe(false);
    expect(autostartValues("lxc.start.order = 2147483648\n").loadable).toBe(false);
    expect(autostartValues("lxc.start.order = -2147483648\n")).toMatchObject({
      loadable: true,
      order: -2147483648,
    });
  });
});

describe("lxc-autostart's -g list and group passes", () => {
  it("keeps empty parts (the NULL group) and drops a part an earlier one is a prefix of", () => {
    expect(parseGroupList("onboot,")).toEqual(["onboot", ""]);
    expect(parseGroupList("")).toEqual([""]);
    expect(parseGroupList("a,b,a")).toEqual(["a", "b"]);
    expect(parseGroupList("on,onboot")).toEqual(["on"]);
    expect(parseGroupList(",onboot")).toEqual([""]);
  });

  it("puts a container in a pass when one of its groups is a prefix of the pass's group", () => {
    expect(isInGroupPass("", [])).toBe(true);
    expect(isInGroupPass("", ["web"])).toBe(false);
    expect(isInGroupPass("onboot", ["onboot"])).toBe(true);
    expect(isInGroupPass("onboot", ["on"])).toBe(true);
    expect(isInGroupPass("on", ["onboot"])).toBe(false);
    expect(isInGroupPass("onboot", [])).toBe(false);
  });
});

describe("the autostart order", () => {
  const fleet = [
    container("db", "lxc.start.auto = 1\nlxc.start.order = 5\nlxc.group = onboot\n"),
    container("web2", "lxc.start.auto = 1\nlxc.start.order = 1\n"),
    container("web", "lxc.start.auto = 1\nlxc.start.order = 1\n"),
    container("cache", "lxc.start.auto = 1\nlxc.start.order = -3\nlxc.group = other\n"),
    container("early", "lxc.start.auto = 1\nlxc.start.order = 10\nlxc.group = onboot\n"),
    container("off", "lxc.start.auto = 0\n"),
    container("broken", "lxc.start.auto = 7\n"),
  ];

  it("runs the groups in turn, each by order then name (byte order)", () => {
    expect(names(autostartOrder(fleet, { groups: "onboot," }))).toEqual(["db", "early", "web", "web2"]);
    expect(names(autostartOrder(fleet, { groups: "" }))).toEqual(["web", "web2"]);
    expect(names(autostartOrder(fleet, { groups: "other,onboot" }))).toEqual(["cache", "db", "early"]);
    expect(names(autostartOrder(fleet, { all: true }))).toEqual(["cache", "web", "web2", "db", "early"]);
  });

  it("takes a container once, in the first pass it is in", () => {
    const both = [container("x", "lxc.start.auto = 1\nlxc.group = a\nlxc.group = b\n")];
    expect(names(autostartOrder(both, { groups: "b,a" }))).toEqual(["x"]);
  });
});

describe("BOOTGROUPS of /etc/default/lxc", () => {
  it("reads the simple forms, the last one winning, else the default", () => {
    expect(parseBootGroups(null)).toBe("onboot,");
    expect(parseBootGroups('LXC_AUTO="true"\n')).toBe("onboot,");
    expect(parseBootGroups('BOOTGROUPS="web,db,"\n')).toBe("web,db,");
    expect(parseBootGroups("BOOTGROUPS='a'\nBOOTGROUPS=b,  # comment\n")).toBe("b,");
    expect(parseBootGroups('BOOTGROUPS=""\n')).toBe("");
    expect(parseBootGroups('#BOOTGROUPS="x"\n')).toBe("onboot,");
    expect(parseBootGroups('BOOTGROUPS="$(cat /etc/x)"\n')).toBe("onboot,");
    expect(parseBootGroups('BOOTGROUPS="a"\nBOOTGROUPS="$OTHER"\n')).toBe("onboot,");
  });
});

describe("dependencies", () => {
  const existing = new Set(["a", "b", "c", "d"]);
  it("finds a missing container, a container after itself, and circles", () => {
    expect(dependencyProblems(new Map([["b", "a"]]), existing)).toEqual([]);
    expect(dependencyProblems(new Map([["b", "zz"]]), existing)).toEqual([
      { kind: "missing", name: "b", after: "zz" },
    ]);
    expect(dependencyProblems(new Map([["a", "a"]]), existing)).toEqual([{ kind: "self", name: "a" }]);
    const cycle = dependencyProblems(
      new Map([
        ["a", "b"],
        ["b", "c"],
        ["c", "a"],
        ["d", "a"],
      ]),
      existing,
    );
    expect(cycle).toContainEqual({ kind: "cycle", name: "a", cycle: ["a", "b", "c", "a"] });
    // d leads into the circle but is not on it.
    expect(cycle.some((problem) => problem.name === "d")).toBe(false);
  });

  it("checks the probe's port and the timeout", () => {
    const base = { after: "a", timeoutSeconds: 5 };
    expect(ZDependency.safeParse({ ...base, probe: { kind: "tcp", port: 80 } }).success).toBe(true);
    expect(ZDependency.safeParse({ ...base, probe: { kind: "ping" } }).success).toBe(true);
    expect(ZDependency.safeParse({ ...base, probe: { kind: "tcp", port: 0 } }).success).toBe(false);
    expect(ZDependency.safeParse({ ...base, probe: { kind: "tcp", port: 65536 } }).success).toBe(false);
    expect(ZDependency.safeParse({ ...base, timeoutSeconds: 0, probe: { kind: "ping" } }).success).toBe(
      false,
    );
    expect(ZDependency.safeParse({ ...base, timeoutSeconds: 601, probe: { kind: "ping" } }).success).toBe(
      false,
    );
  });

  it("starts a dependency of the same run before its dependents, keeping the order otherwise", () => {
    const after: Record<string, string> = { web: "db", app: "web" };
    expect(scheduleWithDependencies(["app", "web", "x", "db"], (name) => after[name] ?? null)).toEqual([
      "db",
      "web",
      "app",
      "x",
    ]);
    expect(scheduleWithDependencies(["web", "x"], (name) => after[name] ?? null)).toEqual(["web", "x"]);
    // A circle (a hand-edited state file) keeps its containers, each once.
    const circle: Record<string, string> = { a: "b", b: "a" };
    expect(scheduleWithDependencies(["a", "b"], (name) => circle[name] ?? null).sort()).toEqual(["a", "b"]);
  });
});

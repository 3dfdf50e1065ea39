import { describe, expect, it } from "vitest";
import { lxcContract } from "./lxc";

/** lxc.setCgroup's value is an argument of lxc-cgroup as root: never one getopt could read as an option. */
describe("a live cgroup value", () => {
  const parse = (file: string, value: string) =>
    lxcContract.setCgroup.input.safeParse({ name: "web", file, value }).success;

  it("takes a limit, and -1 as cgroup v1's no limit", () => {
    expect(parse("pids.max", "max")).toBe(true);
    expect(parse("memory.max", "512M")).toBe(true);
    expect(parse("cpu.max", "50000 100000")).toBe(true);
    expect(parse("cpuset.cpus", "0-3")).toBe(true);
    expect(parse("memory.limit_in_bytes", "-1")).toBe(true);
  });

  it("refuses any other value that starts with '-'", () => {
    for (const value of ["-o.env", "-q", "--logfile=x", "-", "-2", "-1 -o x"])
      expect(parse("pids.max", value), value).toBe(false);
  });
});

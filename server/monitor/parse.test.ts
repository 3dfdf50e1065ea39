import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseMonitorLine } from "./parse";

describe("parseMonitorLine (captured from lxc-monitor 5.0.2: start, freeze, unfreeze, kill)", () => {
  const lines = readFileSync(path.join(import.meta.dirname, "__fixtures__", "lxc-monitor.txt"), "utf8")
    .split("\n")
    .filter(Boolean);

  it("reads every line as a state change or an exit", () => {
    const events = lines.map(parseMonitorLine);
    expect(events.every((event) => event !== null)).toBe(true);
    expect(events.map((event) => (event?.kind === "state" ? event.state : `exit ${event?.status}`))).toEqual([
      "STARTING",
      "RUNNING",
      "FREEZING",
      "FROZEN",
      "FROZEN",
      "THAWED",
      "THAWED",
      "RUNNING",
      "exit 0",
      "STOPPING",
      "STOPPED",
    ]);
    expect(events[0]).toEqual({ kind: "state", container: "m1", state: "STARTING" });
  });

  it("ignores what is not an event", () => {
    expect(parseMonitorLine("")).toBeNull();
    expect(parseMonitorLine("lxc-monitor: something went wrong")).toBeNull();
    expect(parseMonitorLine("'x' changed state to [BOGUS]")).toBeNull();
  });
});

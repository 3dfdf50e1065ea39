import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseLxcInfo, parseLxcLsFancy } from "./parse";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");

describe("parseLxcLsFancy (captured from lxc-ls 5.0.2)", () => {
  const rows = parseLxcLsFancy(fixture("lxc-ls-fancy.txt"));

  it("reads every container in order", () => {
    expect(rows.map((row) => row.name)).toEqual(["db.2", "frozen4", "idle_3", "web-1"]);
  });

  it("reads list cells that contain spaces (several addresses, several groups)", () => {
    expect(rows.find((row) => row.name === "web-1")).toEqual({
      name: "web-1",
      state: "RUNNING",
      pid: 5327,
      ipv4: ["10.213.0.11", "10.213.0.12"],
      ipv6: ["fd42:213::11"],
      autostart: true,
      groups: ["web", "onboot"],
      unprivileged: false,
    });
  });

  it("reads stopped and frozen containers, with '-' as empty", () => {
    expect(rows.find((row) => row.name === "idle_3")).toMatchObject({
      state: "STOPPED",
      pid: null,
      ipv4: [],
      ipv6: [],
      autostart: true,
      groups: ["spare"],
    });
    expect(rows.find((row) => row.name === "frozen4")).toMatchObject({ state: "FROZEN", pid: 5347 });
  });

  it("reads no output (no container) as an empty list", () => {
    expect(parseLxcLsFancy(fixture("lxc-ls-fancy-empty.txt"))).toEqual([]);
  });
});

describe("parseLxcInfo (captured from lxc-info -H)", () => {
  it("reads a running container with several addresses", () => {
    expect(parseLxcInfo(fixture("lxc-info-running.txt"))).toEqual({
      name: "web-1",
      state: "RUNNING",
      pid: 5327,
      ips: ["10.213.0.11", "10.213.0.12", "fd42:213::11"],
      cpuUseNs: 5923094,
      memoryUseBytes: 757760,
      links: ["veth4bqt8m"],
    });
  });

  it("reads stopped and frozen containers", () => {
    expect(parseLxcInfo(fixture("lxc-info-stopped.txt"))).toMatchObject({
      name: "idle_3",
      state: "STOPPED",
      pid: null,
    });
    expect(parseLxcInfo(fixture("lxc-info-frozen.txt"))).toMatchObject({ state: "FROZEN", pid: 5347 });
  });
});

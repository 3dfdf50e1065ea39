import { describe, expect, it } from "vitest";
import { actionsFor, ASKS_FIRST, containerHref, containerInView, pagesFor } from "./palette-model";

describe("the palette's actions", () => {
  it("offer what the container's buttons offer in each state", () => {
    expect(actionsFor("STOPPED")).toEqual(["start", "snapshot", "config"]);
    expect(actionsFor("RUNNING")).toEqual([
      "stop",
      "forceStop",
      "restart",
      "freeze",
      "config",
      "shell",
      "console",
    ]);
    expect(actionsFor("FROZEN")).toEqual(["stop", "forceStop", "restart", "unfreeze", "config"]);
    expect(actionsFor("STARTING")).toEqual(["config"]);
    expect(actionsFor("ABORTING")).toEqual(["config"]);
  });

  it("ask first exactly where the buttons do", () => {
    expect([...ASKS_FIRST]).toEqual(["forceStop"]);
  });
});

describe("the palette's pages", () => {
  const keys = (role: "viewer" | "operator" | "admin") => pagesFor(role).map((page) => page.key);

  it("follow the role", () => {
    expect(keys("viewer")).toEqual([
      "containers",
      "host",
      "autostart",
      "network",
      "jobs",
      "events",
      "account",
    ]);
    expect(keys("operator")).toEqual([
      "containers",
      "newContainer",
      "host",
      "autostart",
      "network",
      "jobs",
      "events",
      "audit",
      "account",
    ]);
    expect(keys("admin")).toContain("users");
    expect(keys("operator")).not.toContain("users");
  });
});

describe("the container in view", () => {
  it.each([
    ["/containers/web1", "web1"],
    ["/containers/web1/config", "web1"],
    ["/containers/web1/snapshots", "web1"],
    ["/containers/a%20b", "a b"],
    ["/containers", null],
    ["/containers/", null],
    ["/containers/new", null],
    ["/host", null],
    ["/containers/%E0%A4%A", null],
  ])("%s: %s", (pathname, name) => {
    expect(containerInView(pathname)).toBe(name);
  });

  it("round-trips through its address", () => {
    for (const name of ["web1", "db-2", "a_b.c"])
      expect(containerInView(containerHref(name, "config"))).toBe(name);
  });
});

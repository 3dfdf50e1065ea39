import { describe, expect, it } from "vitest";
import { RequestStats, routeKindOf } from "./request-stats";

describe("request counts for /metrics", () => {
  it("sorts requests into a few kinds of route, never by path", () => {
    expect(routeKindOf("/api/trpc/containers.list,containers.get")).toBe("trpc");
    expect(routeKindOf("/api/events")).toBe("events");
    expect(routeKindOf("/api/uploads/rootfs")).toBe("upload");
    expect(routeKindOf("/api/health")).toBe("health");
    expect(routeKindOf("/api/made-up")).toBe("api_other");
    expect(routeKindOf("/metrics")).toBe("metrics");
    expect(routeKindOf("/_next/static/chunks/app.js")).toBe("static");
    expect(routeKindOf("/favicon.ico")).toBe("static");
    expect(routeKindOf("/containers/web.1")).toBe("page");
    expect(routeKindOf("/")).toBe("page");
  });

  it("counts by kind and status, with one bucket for what is not an HTTP status", () => {
    const stats = new RequestStats();
    stats.record("trpc", 200);
    stats.record("trpc", 200);
    stats.record("trpc", 401);
    stats.record("page", 42);
    expect(stats.entries()).toEqual([
      { route: "trpc", code: 200, count: 2 },
      { route: "trpc", code: 401, count: 1 },
      { route: "page", code: 0, count: 1 },
    ]);
  });
});

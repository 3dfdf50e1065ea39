import { describe, expect, it } from "vitest";
import { matchRoute } from "./routes";

describe("matchRoute", () => {
  it("finds exact routes and routes with a container's name", () => {
    expect(matchRoute("GET", "/api/health")).toEqual({ route: "GET /api/health", params: {} });
    expect(matchRoute("GET", "/api/containers/web-1/files")).toEqual({
      route: "GET /api/containers/:name/files",
      params: { name: "web-1" },
    });
    expect(matchRoute("PUT", "/api/containers/web%2E1/files")).toEqual({
      route: "PUT /api/containers/:name/files",
      params: { name: "web.1" },
    });
  });

  it("matches nothing outside the table", () => {
    expect(matchRoute("POST", "/api/containers/web/files")).toBeNull();
    expect(matchRoute("GET", "/api/containers//files")).toBeNull();
    expect(matchRoute("GET", "/api/containers/a/b/files")).toBeNull();
    expect(matchRoute("GET", "/api/containers/web/files/x")).toBeNull();
    expect(matchRoute("GET", "/api/containers/%E0%A4%A/files")).toBeNull();
    expect(matchRoute("GET", "/api/uploads/rootfs")).toBeNull();
  });
});

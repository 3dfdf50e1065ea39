import { describe, expect, it } from "vitest";
import { checkHost, checkOrigin } from "./guards";

const request = (method: string, headers: Record<string, string>) => ({ method, headers });

describe("checkOrigin", () => {
  it("lets reads through from anywhere", () => {
    expect(
      checkOrigin(request("GET", { origin: "https://evil.example", host: "127.0.0.1:3000" })),
    ).toBeNull();
  });

  it("lets same-origin writes and non-browser clients through", () => {
    expect(
      checkOrigin(request("POST", { origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" })),
    ).toBeNull();
    expect(checkOrigin(request("POST", { host: "127.0.0.1:3000" }))).toBeNull();
    expect(
      checkOrigin(request("POST", { host: "127.0.0.1:3000", "sec-fetch-site": "same-origin" })),
    ).toBeNull();
  });

  it("rejects cross-origin writes", () => {
    expect(
      checkOrigin(request("POST", { origin: "https://evil.example", host: "127.0.0.1:3000" }))?.status,
    ).toBe(403);
    expect(
      checkOrigin(request("POST", { origin: "http://127.0.0.1:3001", host: "127.0.0.1:3000" }))?.status,
    ).toBe(403);
    expect(checkOrigin(request("POST", { origin: "null", host: "127.0.0.1:3000" }))?.status).toBe(403);
    expect(
      checkOrigin(request("POST", { host: "127.0.0.1:3000", "sec-fetch-site": "cross-site" }))?.status,
    ).toBe(403);
  });
});

describe("checkHost", () => {
  it("accepts loopback names when bound to loopback", () => {
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "127.0.0.1"]) {
      expect(checkHost(request("GET", { host }), "127.0.0.1")).toBeNull();
    }
  });

  it("rejects other names when bound to loopback (DNS rebinding)", () => {
    expect(checkHost(request("GET", { host: "evil.example:3000" }), "127.0.0.1")?.status).toBe(421);
    expect(checkHost(request("GET", {}), "127.0.0.1")?.status).toBe(421);
  });

  it("does not restrict names when bound to the LAN", () => {
    expect(checkHost(request("GET", { host: "panel.lan:3000" }), "0.0.0.0")).toBeNull();
  });
});

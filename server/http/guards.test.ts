import { describe, expect, it } from "vitest";
import { checkHost, checkOrigin, checkUpgradeOrigin } from "./guards";

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

  it("takes this machine's names and addresses when bound to the LAN, and refuses others (DNS rebinding)", () => {
    const mine = new Set(["panel", "panel.lan", "192.168.1.10", "fe80::1"]);
    const allowed = (name: string) => mine.has(name);
    for (const host of [
      "panel.lan:3000",
      "PANEL:3000",
      "192.168.1.10:3000",
      "[fe80::1]:3000",
      "127.0.0.1:3000",
    ])
      expect(checkHost(request("GET", { host }), "0.0.0.0", allowed), host).toBeNull();
    for (const host of ["evil.example", "evil.example:3000", "192.168.1.11:3000", "panel.lan.evil.example"])
      expect(checkHost(request("GET", { host }), "0.0.0.0", allowed)?.status, host).toBe(421);
    expect(checkHost(request("GET", {}), "0.0.0.0", allowed)?.status).toBe(421);
  });
});

describe("the console's upgrade", () => {
  it("is judged as a change: a browser of another site is refused, a client without Origin is not", () => {
    const headers = { host: "panel:8443" };
    expect(
      checkUpgradeOrigin({ method: "GET", headers: { ...headers, origin: "https://evil.example" } }),
    ).toMatchObject({
      status: 403,
    });
    expect(
      checkUpgradeOrigin({ method: "GET", headers: { ...headers, "sec-fetch-site": "cross-site" } }),
    ).toMatchObject({ status: 403 });
    expect(
      checkUpgradeOrigin({ method: "GET", headers: { ...headers, origin: "https://panel:8443" } }),
    ).toBeNull();
    expect(checkUpgradeOrigin({ method: "GET", headers })).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { networkOf } from "./ipv4";
import { ZNatConfig } from "./nat";

describe("the NAT network's settings", () => {
  it("accepts only settings that make sense, with no way into the ruleset or dnsmasq's arguments", () => {
    expect(networkOf("10.0.4.1/24")).toBe("10.0.4.0/24");
    expect(networkOf("172.16.5.9/20")).toBe("172.16.0.0/20");
    const good = { bridge: "lxcnat0", address: "10.0.4.1/24", dhcpStart: "10.0.4.2", dhcpEnd: "10.0.4.254" };
    expect(ZNatConfig.safeParse(good).success).toBe(true);
    for (const bad of [
      { ...good, bridge: 'x" accept; #' },
      { ...good, address: "10.0.4.1/24\n" },
      { ...good, address: "10.0.4.1" },
      { ...good, dhcpStart: "10.0.4.1" },
      { ...good, dhcpEnd: "10.0.5.9" },
      { ...good, dhcpStart: "10.0.4.200", dhcpEnd: "10.0.4.100" },
      { ...good, dhcpStart: "10.0.4.2,10.0.4.3" },
      { ...good, extra: "--dhcp-script=/bin/sh" },
    ]) {
      expect(ZNatConfig.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

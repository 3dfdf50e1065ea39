import { describe, expect, it } from "vitest";
import { natRuleset, parseLeases } from "./nat";

describe("the NAT network in the helper", () => {
  it("builds the masquerade ruleset and reads dnsmasq's leases", () => {
    const rules = natRuleset({
      bridge: "lxcnat0",
      address: "10.0.4.1/24",
      dhcpStart: "10.0.4.2",
      dhcpEnd: "10.0.4.254",
    });
    expect(rules).toContain("ip saddr 10.0.4.0/24 ip daddr != 10.0.4.0/24 masquerade");
    expect(rules).toContain('iifname "lxcnat0" accept');
    expect(
      parseLeases(
        "1764414000 00:16:3e:aa:bb:cc 10.0.4.57 c1 01:00:16:3e:aa:bb:cc\n1764414001 00:16:3e:aa:bb:cd 10.0.4.58 * *\n",
      ),
    ).toEqual([
      { expires: new Date(1764414000_000), mac: "00:16:3e:aa:bb:cc", address: "10.0.4.57", hostname: "c1" },
      { expires: new Date(1764414001_000), mac: "00:16:3e:aa:bb:cd", address: "10.0.4.58", hostname: null },
    ]);
  });
});

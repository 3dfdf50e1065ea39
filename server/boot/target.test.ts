import { describe, expect, it } from "vitest";
import { ipv4Number, ownAddresses } from "./target";

/** `ip -j addr show` of a host with a NAT bridge, a container's veth on it, and an uplink (the fields read). */
const hostView = [
  { ifname: "lo", addr_info: [{ family: "inet", local: "127.0.0.1", prefixlen: 8 }] },
  { ifname: "eth0", addr_info: [{ family: "inet", local: "192.0.2.2", prefixlen: 24 }] },
  {
    ifname: "atbr0",
    addr_info: [
      { family: "inet", local: "10.213.0.1", prefixlen: 24 },
      { family: "inet6", local: "fd42::1", prefixlen: 64 },
    ],
  },
  { ifname: "vethA", master: "atbr0", addr_info: [] },
  { ifname: "vethOther", master: "br1", addr_info: [] },
  { ifname: "br1", addr_info: [{ family: "inet", local: "10.50.0.1", prefixlen: 16 }] },
];

describe("a dependency probe's target is the container's own address", () => {
  it("keeps an address on the network of the container's bridge", () => {
    expect(ownAddresses(["10.213.0.151"], ["vethA"], hostView)).toEqual(["10.213.0.151"]);
  });

  it("never the host's own addresses, whatever the guest claims", () => {
    // The bridge's own address, the uplink's, loopback, and the unspecified address (which connects to the host).
    for (const claimed of ["10.213.0.1", "192.0.2.2", "127.0.0.1", "0.0.0.0"])
      expect(ownAddresses([claimed], ["vethA"], hostView), claimed).toEqual([]);
  });

  it("never an address outside its bridge's network: metadata, the uplink's LAN, another bridge's network", () => {
    for (const claimed of ["169.254.169.254", "192.0.2.77", "10.50.0.9", "8.8.8.8", "10.213.1.5"])
      expect(ownAddresses([claimed], ["vethA"], hostView), claimed).toEqual([]);
  });

  it("never the network's own address or its broadcast", () => {
    expect(ownAddresses(["10.213.0.0", "10.213.0.255"], ["vethA"], hostView)).toEqual([]);
  });

  it("nothing without a bridged veth of its own (none, macvlan, a veth named by the guest's claim alone)", () => {
    expect(ownAddresses(["10.213.0.151"], [], hostView)).toEqual([]);
    expect(ownAddresses(["10.213.0.151"], ["vethMissing"], hostView)).toEqual([]);
    expect(ownAddresses(["10.213.0.151"], ["vethA"], "not json's array")).toEqual([]);
  });

  it("keeps the order of the claims, dropping the foreign ones", () => {
    expect(ownAddresses(["192.0.2.9", "10.213.0.7", "10.213.0.8"], ["vethA"], hostView)).toEqual([
      "10.213.0.7",
      "10.213.0.8",
    ]);
  });

  it("reads only dotted IPv4 addresses", () => {
    expect(ipv4Number("10.213.0.1")).toBe(0x0ad50001);
    for (const bad of ["256.1.1.1", "10.213.0", "::1", "010.1.1.1x", " 10.0.0.1"])
      expect(ipv4Number(bad)).toBeNull();
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { interfaceWithAddress, parseNetwork } from "./parse";

/** Captured in the test network namespace: bridge atbr0 with a running container's veth, and a veth pair nic0. */
const json = (file: string) =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, "__fixtures__", file), "utf8")) as never;
const network = parseNetwork(
  json("ip-link.json"),
  json("ip-addr.json"),
  json("ip-route.json"),
  json("ip-route6.json"),
);

describe("the host's network from iproute2's JSON", () => {
  it("reads interfaces with their kind, state, addresses, bridge and counters", () => {
    const byName = new Map(network.interfaces.map((entry) => [entry.name, entry]));
    expect(byName.get("lo")).toMatchObject({ kind: "loopback", mac: null });
    expect(byName.get("atbr0")).toMatchObject({
      kind: "bridge",
      isUp: true,
      addresses: expect.arrayContaining([
        { family: "inet", cidr: "10.213.0.1/24", scope: "global" },
      ]) as unknown,
    });
    const veth = network.interfaces.find((entry) => entry.master === "atbr0");
    expect(veth).toMatchObject({ kind: "veth", peerInOtherNamespace: true, state: "UP" });
    expect(veth?.rxBytes).toEqual(expect.any(Number));
    expect(byName.get("nic0")).toMatchObject({ kind: "veth", peerInOtherNamespace: false, master: null });
  });

  it("lists bridges with their ports, STP and forward delay in seconds", () => {
    expect(network.bridges).toEqual([
      { name: "atbr0", ports: [expect.stringMatching(/^veth/) as unknown], stp: false, forwardDelay: 15 },
    ]);
  });

  it("reads IPv4 and IPv6 routes, the default one marked", () => {
    expect(network.routes.filter((route) => route.isDefault)).toEqual([
      {
        family: "inet",
        destination: "default",
        gateway: "192.0.2.1",
        dev: "nic0",
        isDefault: true,
        source: null,
      },
    ]);
    expect(network.routes.some((route) => route.family === "inet6")).toBe(true);
  });

  it("finds the interface a browser reached the server on", () => {
    expect(interfaceWithAddress(network.interfaces, "10.213.0.1")?.name).toBe("atbr0");
    expect(interfaceWithAddress(network.interfaces, "::ffff:127.0.0.1")?.name).toBe("lo");
    expect(interfaceWithAddress(network.interfaces, "203.0.113.9")).toBeNull();
  });
});

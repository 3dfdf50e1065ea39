import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { natRuleset, parseLeases } from "../helper/nat";
import { networkOf } from "../schemas/ipv4";
import { ZNatConfig } from "../schemas/nat";
import { writePersisted } from "../helper/operations/network";
import { detectSystem, persistConflicts, persistDiff, renderPersisted } from "./persist";
import type { TBridgeEnd } from "./plan";

/** Persistence files for the bridges Atelier manages, on host layouts written to a temporary directory. */
const dirs: string[] = [];
const hostRoot = async (files: Record<string, string>) => {
  const root = await mkdtemp(path.join(os.tmpdir(), "atelier-persist-"));
  dirs.push(root);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return root;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const br0: TBridgeEnd = {
  name: "br0",
  ports: ["eth0", "vethA1b2C3"],
  addresses: ["192.0.2.10/24", "2001:db8::10/64"],
  stp: false,
  forwardDelay: 2,
  mtu: 1500,
  gateway: "192.0.2.1",
};

describe("persistence", () => {
  it("writes the seed's bridge as Debian's ifupdown expects it, leaving out containers' veths", () => {
    expect(renderPersisted("ifupdown", [br0])).toEqual([
      {
        path: "etc/network/interfaces.d/atelier",
        content: [
          "# Written by Atelier for the bridges it manages: edit them from its Network page. Changes made here by hand are overwritten.",
          "",
          "iface eth0 inet manual",
          "auto br0",
          "iface br0 inet static",
          "    address 192.0.2.10/24",
          "    gateway 192.0.2.1",
          "    bridge_ports eth0",
          "    bridge_stp off",
          "    bridge_fd 2",
          "iface br0 inet6 static",
          "    address 2001:db8::10/64",
          "",
        ].join("\n"),
      },
    ]);
  });

  it("writes systemd-networkd files: the bridge's netdev and network, and one network file per port", () => {
    const files = renderPersisted("networkd", [br0]);
    expect(files.map((file) => file.path)).toEqual([
      "etc/systemd/network/50-atelier-br0.netdev",
      "etc/systemd/network/50-atelier-br0.network",
      "etc/systemd/network/50-atelier-eth0.network",
    ]);
    expect(files[0]?.content).toContain("Kind=bridge\n\n[Bridge]\nSTP=no\nForwardDelaySec=2");
    expect(files[1]?.content).toContain("Address=192.0.2.10/24\nAddress=2001:db8::10/64\nGateway=192.0.2.1");
    expect(files[2]?.content).toContain("[Match]\nName=eth0\n\n[Network]\nBridge=br0");
  });

  it("detects ifupdown, systemd-networkd or neither, and says what is missing", async () => {
    const ifupdown = await detectSystem(
      await hostRoot({ "etc/network/interfaces": "auto lo\niface lo inet loopback\n" }),
    );
    expect(ifupdown.system).toBe("ifupdown");
    expect(ifupdown.warnings.join(" ")).toMatch(/does not read \/etc\/network\/interfaces\.d/);
    const sourcing = await detectSystem(
      await hostRoot({
        "etc/network/interfaces": "source /etc/network/interfaces.d/*\n",
        "sbin/ifup": "",
        "sbin/brctl": "",
      }),
    );
    expect(sourcing).toMatchObject({ system: "ifupdown", warnings: [] });
    expect(
      (
        await detectSystem(
          await hostRoot({ "etc/systemd/system/multi-user.target.wants/systemd-networkd.service": "" }),
        )
      ).system,
    ).toBe("networkd");
    expect((await detectSystem(await hostRoot({}))).system).toBe("none");
  });

  it("writes only its own files, removes its stale ones, and reports the admin's stanzas that would clash", async () => {
    const root = await hostRoot({
      "etc/systemd/network/10-lan.network": "[Match]\nName=eth1\n",
      "etc/systemd/network/50-atelier-old0.netdev": "stale",
    });
    const files = renderPersisted("networkd", [br0]);
    expect((await persistDiff(root, "networkd", files)).map((file) => file.path)).toEqual([
      "/etc/systemd/network/50-atelier-br0.netdev",
      "/etc/systemd/network/50-atelier-br0.network",
      "/etc/systemd/network/50-atelier-eth0.network",
      "/etc/systemd/network/50-atelier-old0.netdev",
    ]);
    await writePersisted(root, "networkd", files);
    expect((await readdir(path.join(root, "etc/systemd/network"))).sort()).toEqual([
      "10-lan.network",
      "50-atelier-br0.netdev",
      "50-atelier-br0.network",
      "50-atelier-eth0.network",
    ]);
    expect(await persistDiff(root, "networkd", files)).toEqual([]);

    const debian = await hostRoot({
      "etc/network/interfaces":
        "source /etc/network/interfaces.d/*\nauto lo\niface lo inet loopback\nallow-hotplug eth0\niface eth0 inet dhcp\n",
    });
    expect(await persistConflicts(debian, "ifupdown", ["br0", "eth0", "lo"])).toEqual([
      "/etc/network/interfaces line 4 also configures eth0 (`allow-hotplug eth0`): remove that stanza by hand, or it will fight with Atelier's at boot.",
      "/etc/network/interfaces line 5 also configures eth0 (`iface eth0 inet dhcp`): remove that stanza by hand, or it will fight with Atelier's at boot.",
    ]);
    await writePersisted(debian, "ifupdown", renderPersisted("ifupdown", [br0]));
    expect(await readFile(path.join(debian, "etc/network/interfaces"), "utf8")).toContain(
      "iface eth0 inet dhcp",
    );
  });
});

describe("the NAT network's settings", () => {
  it("builds the masquerade ruleset and reads dnsmasq's leases", () => {
    expect(networkOf("10.0.4.1/24")).toBe("10.0.4.0/24");
    expect(networkOf("172.16.5.9/20")).toBe("172.16.0.0/20");
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

  it("accepts only settings that make sense, with no way into the ruleset or dnsmasq's arguments", () => {
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

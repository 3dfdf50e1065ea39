import { describe, expect, it } from "vitest";
import { br0, useHostRoots } from "@/tests/host-roots";
import { inEnglish } from "../i18n/english";
import { detectSystem, renderPersisted } from "./persist";

/** Persistence files for the bridges Atelier manages, on host layouts written to a temporary directory. */
const hostRoot = useHostRoots();

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

    // Each reason and warning in English from the catalogue, with its words (for the pages).
    const bare = await detectSystem(await hostRoot({ "etc/network/interfaces": "auto lo\n" }));
    expect(bare).toMatchObject({
      reason: "This host has /etc/network/interfaces (Debian's ifupdown).",
      reasonWords: { id: "network.server.persist.ifupdown", params: {} },
      warnings: [
        "/etc/network/interfaces does not read /etc/network/interfaces.d: add the line `source /etc/network/interfaces.d/*` to it, or Atelier's bridges will not come back after a reboot. Atelier does not edit that file.",
        "ifupdown's ifup is not installed: install the ifupdown and bridge-utils packages.",
      ],
    });
    for (const target of [ifupdown, sourcing, bare, await detectSystem(await hostRoot({}))]) {
      expect(inEnglish(target.reasonWords)).toBe(target.reason);
      expect(target.warningWords.map(inEnglish)).toEqual(target.warnings);
    }
  });
});

import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { br0, useHostRoots } from "@/tests/host-roots";
import { inEnglish } from "../../i18n/english";
import { persistConflicts, persistDiff, renderPersisted } from "../../host-network/persist";
import { writePersisted } from "./persist";

/** The helper's writes of the persisted files, on host layouts written to a temporary directory. */
const hostRoot = useHostRoots();

describe("writing the persisted files", () => {
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
    const conflicts = await persistConflicts(debian, "ifupdown", ["br0", "eth0", "lo"]);
    expect(conflicts.map((conflict) => conflict.text)).toEqual([
      "/etc/network/interfaces line 4 also configures eth0 (`allow-hotplug eth0`): remove that stanza by hand, or it will fight with Atelier's at boot.",
      "/etc/network/interfaces line 5 also configures eth0 (`iface eth0 inet dhcp`): remove that stanza by hand, or it will fight with Atelier's at boot.",
    ]);
    // Its words (for the pages) say the same in English.
    expect(conflicts[0]).toMatchObject({
      id: "network.server.persist.conflict",
      params: { file: "/etc/network/interfaces", line: "4", name: "eth0", stanza: "allow-hotplug eth0" },
    });
    for (const conflict of conflicts) expect(inEnglish(conflict)).toBe(conflict.text);
    await writePersisted(debian, "ifupdown", renderPersisted("ifupdown", [br0]));
    expect(await readFile(path.join(debian, "etc/network/interfaces"), "utf8")).toContain(
      "iface eth0 inet dhcp",
    );
  });
});

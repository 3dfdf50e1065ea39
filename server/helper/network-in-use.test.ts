import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { networkInUse, takenNetworkValues } from "./network-in-use";

describe("a MAC or address another container or the host uses is not the operator's to take", () => {
  let lxcPath = "";
  beforeAll(async () => {
    lxcPath = await mkdtemp(path.join(os.tmpdir(), "atelier-test-in-use-"));
    for (const [name, text] of [
      [
        "web",
        "lxc.net.0.type = veth\nlxc.net.0.hwaddr = 00:16:3E:00:00:01\nlxc.net.0.ipv4.address = 10.0.3.2/24\n",
      ],
      [
        "db",
        "lxc.net.0.type = veth\nlxc.net.0.hwaddr = 00:16:3e:xx:xx:xx\nlxc.net.0.ipv6.address = fd00::2/64\n",
      ],
    ] as const) {
      await mkdir(path.join(lxcPath, name));
      await writeFile(path.join(lxcPath, name, "config"), text);
    }
    // A config that is a link is not followed.
    await mkdir(path.join(lxcPath, "linked"));
    await symlink("/etc/hostname", path.join(lxcPath, "linked", "config"));
  });
  afterAll(() => rm(lxcPath, { recursive: true, force: true }));

  const host = {
    interfaces: [{ name: "br0", mac: "AA:BB:CC:00:00:01", addresses: [{ cidr: "10.0.3.1/24" }] }],
  };

  it("names the owner of each value taken, and leaves values already there and new free ones alone", async () => {
    const inUse = await networkInUse(lxcPath, "new", host);
    const before = "lxc.net.0.ipv4.address = 10.0.3.2/24\n";
    const after = [
      "lxc.net.0.type = veth",
      "lxc.net.0.hwaddr = 00:16:3e:00:00:01",
      "lxc.net.0.ipv4.address = 10.0.3.2/24",
      "lxc.net.1.ipv4.address = 10.0.3.1/24 10.0.3.255",
      "lxc.net.1.hwaddr = aa:bb:cc:00:00:01",
      "lxc.net.2.ipv6.address = FD00:0:0::2/64",
      "lxc.net.2.ipv4.address = 10.0.3.9/24",
      "lxc.net.2.hwaddr = 00:16:3e:xx:xx:xx",
      "",
    ].join("\n");
    expect(takenNetworkValues(before, after, inUse).map((change) => [change.line, change.reason])).toEqual([
      [2, "00:16:3e:00:00:01 is already used by container web"],
      [4, "10.0.3.1/24 10.0.3.255 is already used by the host's br0"],
      [5, "aa:bb:cc:00:00:01 is already used by the host's br0"],
      [6, "FD00:0:0::2/64 is already used by container db"],
    ]);
  });

  it("does not count the container's own config", async () => {
    const inUse = await networkInUse(lxcPath, "web", { interfaces: [] });
    expect(takenNetworkValues("", "lxc.net.0.hwaddr = 00:16:3e:00:00:01\n", inUse)).toEqual([]);
  });
});

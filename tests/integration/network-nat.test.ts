import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forceDestroy, lxcPath, uniqueName } from "../lxc-oracle";
import { ip, makePeerNamespace, type TPeerNamespace } from "../netns";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * The NAT network and containers' interfaces, in the test's namespace standing in for a host. "The internet" is a
 * namespace this test makes (203.0.113.2, behind the host's atup0 203.0.113.1) with no route back to the NAT subnet:
 * a container reaching it proves the masquerade.
 */
let wan: TPeerNamespace;
const server = useServer({
  afterStop: async () => {
    await wan?.close();
    await ip("link", "del", "atnat0").catch(() => undefined);
  },
});
// Destroyed while the server runs, before the NAT network is stopped through it.
const created: string[] = [];

type TNat = {
  config: { bridge: string; address: string };
  running: boolean;
  parts: { bridge: boolean; dnsmasq: number | null; masquerade: boolean };
  leases: { mac: string; address: string }[];
};
const admin = (procedure: string, input?: unknown, kind: "query" | "mutation" = "mutation") =>
  callProcedure(server, procedure, input, { kind, as: "admin" });
const nat = async () => (await admin("network.nat.get", undefined, "query")).data as TNat;
const inContainer = (name: string, argv: string[]) =>
  execa("lxc-attach", ["-P", lxcPath(), "-n", name, "--", ...argv], { reject: false, timeout: 20_000 });
const createBusybox = async (prefix: string) => {
  const name = uniqueName(prefix);
  created.push(name);
  expect((await callProcedure(server, "containers.create", { name, template: "busybox" })).status).toBe(200);
  return name;
};
const waitFor = async <T>(read: () => Promise<T | null | undefined>, ms: number) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};

beforeAll(async () => {
  wan = await makePeerNamespace({
    hostName: "atup0",
    peerName: "wan0",
    hostCidr: "203.0.113.1/24",
    peerCidr: "203.0.113.2/24",
  });
});
afterAll(async () => {
  await Promise.all(created.map(forceDestroy));
  await admin("network.nat.stop").catch(() => undefined);
});

describe("the NAT network", () => {
  it("refuses settings that would clash with the host, and changes nothing", async () => {
    const good = {
      bridge: "atnat0",
      address: "10.215.0.1/24",
      dhcpStart: "10.215.0.50",
      dhcpEnd: "10.215.0.60",
    };
    for (const [input, field] of [
      [{ ...good, address: "10.213.0.5/24", dhcpStart: "10.213.0.50", dhcpEnd: "10.213.0.60" }, "address"],
      [{ ...good, bridge: "atbr0" }, "bridge"],
      [{ ...good, bridge: "nat0;reboot" }, "bridge"],
      [{ ...good, dhcpStart: "10.216.0.50" }, "dhcpStart"],
      [{ ...good, dhcpStart: "10.215.0.70" }, "dhcpEnd"],
      [{ ...good, address: "10.215.0.1/8" }, "address"],
    ] as const) {
      const refused = await admin("network.nat.configure", input);
      expect(refused.status, JSON.stringify(input)).toBe(400);
      expect(refused.error?.data.field, JSON.stringify(input)).toBe(field);
    }
    expect((await callProcedure(server, "network.nat.configure", good, { as: "operator" })).status).toBe(403);
    expect(await nat()).toMatchObject({ config: { bridge: "lxcnat0" }, running: false });
  });

  it("gives a busybox container a DHCP lease and takes it out through the masquerade", async () => {
    const configured = await admin("network.nat.configure", {
      bridge: "atnat0",
      address: "10.215.0.1/24",
      dhcpStart: "10.215.0.50",
      dhcpEnd: "10.215.0.60",
    });
    expect(configured.status).toBe(200);
    const started = await admin("network.nat.start");
    expect(started.status).toBe(200);
    expect(started.data).toMatchObject({ running: true, parts: { bridge: true, masquerade: true } });

    const name = await createBusybox("nat");
    const attached = await callProcedure(server, "network.attach", {
      container: name,
      index: 0,
      type: "veth",
      link: "atnat0",
    });
    expect(attached.status).toBe(200);
    const { hwaddr } = attached.data as { hwaddr: string };
    expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);

    const lease = await waitFor(
      async () => (await nat()).leases.find((entry) => entry.mac === hwaddr),
      30_000,
    );
    expect(lease.address).toMatch(/^10\.215\.0\.(5\d|60)$/);
    // "The internet" has no route to 10.215.0.0/24: an answer means the container's packets left as 203.0.113.1.
    const ping = await inContainer(name, ["/bin/ping", "-c", "1", "-W", "3", "203.0.113.2"]);
    expect(ping.exitCode, String(ping.stdout) + String(ping.stderr)).toBe(0);

    // Stopping the NAT network under a running container is refused.
    const refused = await admin("network.nat.stop");
    expect(refused.status).toBe(412);
    expect(refused.error?.message).toMatch(/Containers are attached to atnat0/);
    expect((await callProcedure(server, "containers.stop", { name, force: true })).status).toBe(200);
  });

  it("comes back with Atelier when it was enabled, and stops cleanly", async () => {
    const before = await nat();
    expect(before.parts.dnsmasq).not.toBeNull();
    process.kill(before.parts.dnsmasq ?? 0, "SIGTERM");
    await waitFor(async () => (await nat()).parts.dnsmasq === null, 10_000);
    await server.restart();
    expect(await nat()).toMatchObject({ running: true });

    const stopped = await admin("network.nat.stop");
    expect(stopped.status).toBe(200);
    expect(stopped.data).toMatchObject({
      enabled: false,
      running: false,
      parts: { bridge: false, dnsmasq: null, masquerade: false },
    });
    expect((await execa("nft", ["list", "table", "ip", "atelier_nat"], { reject: false })).exitCode).not.toBe(
      0,
    );
  });
});

describe("container interfaces", () => {
  it("attaches two containers with static addresses to a bridge, and they reach each other", async () => {
    const [first, second] = [await createBusybox("nic"), await createBusybox("nic")] as [string, string];
    for (const [name, address] of [
      [first, "10.213.0.71/24"],
      [second, "10.213.0.72/24"],
    ] as const) {
      const attached = await callProcedure(server, "network.attach", {
        container: name,
        index: 0,
        type: "veth",
        link: "atbr0",
        ipv4: address,
        gateway: "10.213.0.1",
      });
      expect(attached.status).toBe(200);
      expect((attached.data as { diff: string }).diff).toContain(`+lxc.net.0.ipv4.address = ${address}`);
      expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);
    }
    const ping = await inContainer(first, ["/bin/ping", "-c", "1", "-W", "3", "10.213.0.72"]);
    expect(ping.exitCode, String(ping.stdout) + String(ping.stderr)).toBe(0);

    // A second interface, then taken away again; each write is a config version.
    const added = await callProcedure(server, "network.attach", {
      container: first,
      type: "veth",
      link: "atbr0",
    });
    expect(added.data).toMatchObject({ index: 1 });
    const listed = await callProcedure(
      server,
      "network.nics",
      { name: first },
      { kind: "query", as: "viewer" },
    );
    expect((listed.data as { nics: { index: number; link: string; ipv4: string[] }[] }).nics).toEqual([
      expect.objectContaining({ index: 0, link: "atbr0", ipv4: ["10.213.0.71/24"] }),
      expect.objectContaining({ index: 1, link: "atbr0", ipv4: [] }),
    ]);
    expect((await callProcedure(server, "network.detach", { container: first, index: 1 })).status).toBe(200);
    const history = await callProcedure(
      server,
      "config.history",
      { name: first },
      { kind: "query", as: "viewer" },
    );
    expect((history.data as unknown[]).length).toBe(4);
  });

  it("puts a container straight onto a host NIC with macvlan (an admin's change: it acts on the host's link)", async () => {
    const name = await createBusybox("macvlan");
    const input = {
      container: name,
      index: 0,
      type: "macvlan",
      link: "atup0",
      ipv4: "203.0.113.50/24",
    };
    const refused = await callProcedure(server, "network.attach", input, { as: "operator" });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.error)).toContain("lxc.net.0.type");
    const attached = await callProcedure(server, "network.attach", input, { as: "admin" });
    expect(attached.status).toBe(200);
    expect((attached.data as { diff: string }).diff).toContain("+lxc.net.0.macvlan.mode = bridge");
    expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);
    // The "internet" namespace sees it as a host of its own on the NIC's network.
    const ping = await inContainer(name, ["/bin/ping", "-c", "1", "-W", "3", "203.0.113.2"]);
    expect(ping.exitCode, String(ping.stdout) + String(ping.stderr)).toBe(0);
    expect((await callProcedure(server, "containers.stop", { name, force: true })).status).toBe(200);
  });

  it("refuses interfaces that do not fit, and writes nothing", async () => {
    const name = await createBusybox("nicbad");
    const before = await callProcedure(server, "network.nics", { name }, { kind: "query", as: "viewer" });
    for (const [input, field] of [
      [{ container: name, type: "veth", link: "lo" }, "link"],
      [{ container: name, type: "veth", link: "nope0" }, "link"],
      [{ container: name, type: "macvlan", link: "atbr0" }, "link"],
      [{ container: name, type: "veth", link: "atbr0", ipv4: "10.213.0.9" }, "ipv4"],
      [
        { container: name, type: "veth", link: "atbr0", ipv4: "10.213.0.9/24", gateway: "10.9.9.9" },
        "gateway",
      ],
      [{ container: name, type: "veth", link: "atbr0", hwaddr: "00:16:3e:zz:00:00" }, "hwaddr"],
      [{ container: name, type: "veth", link: "atbr0", index: 7 }, "index"],
      [{ container: "../etc", type: "veth", link: "atbr0" }, "container"],
    ] as const) {
      const refused = await callProcedure(server, "network.attach", input);
      expect(refused.status, JSON.stringify(input)).toBe(400);
      expect(refused.error?.data.field, JSON.stringify(input)).toBe(field);
    }
    expect(
      (
        await callProcedure(
          server,
          "network.attach",
          { container: name, type: "veth", link: "atbr0" },
          { as: "viewer" },
        )
      ).status,
    ).toBe(403);
    const after = await callProcedure(server, "network.nics", { name }, { kind: "query", as: "viewer" });
    expect(after.data).toEqual(before.data);
  });
});

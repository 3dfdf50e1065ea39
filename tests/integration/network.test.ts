import { describe, expect, it } from "vitest";
/** The bridge scripts/test-env.ts makes in the test namespace. */
const TEST_BRIDGE = "atbr0";
import { uniqueName } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/** The host's network as the Network page reads it, in the test's own network namespace (atbr0, 10.213.0.1/24). */
const server = useServer();
const created = server.made;

type TNetwork = {
  interfaces: {
    name: string;
    kind: string;
    master: string | null;
    container: string | null;
    addresses: { cidr: string }[];
  }[];
  bridges: { name: string; ports: string[]; containers: string[] }[];
  routes: { destination: string; dev: string | null }[];
  session: { interface: string | null; serverAddress: string | null };
};
const list = async () =>
  (await callProcedure(server, "network.list", undefined, { kind: "query", as: "viewer" })).data as TNetwork;

describe("network.list", () => {
  it("reads the bridge, its address, a running container's veth on it, routes, and the session's interface", async () => {
    const name = uniqueName("net");
    created.push(name);
    expect((await callProcedure(server, "containers.create", { name, template: "busybox" })).status).toBe(
      200,
    );
    expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);
    const network = await list();
    const bridge = network.interfaces.find((entry) => entry.name === TEST_BRIDGE);
    expect(bridge).toMatchObject({ kind: "bridge" });
    expect(bridge?.addresses.map((address) => address.cidr)).toContain("10.213.0.1/24");
    expect(network.bridges.find((entry) => entry.name === TEST_BRIDGE)?.containers).toContain(name);
    const veth = network.interfaces.find((entry) => entry.container === name);
    expect(veth).toMatchObject({ kind: "veth", master: TEST_BRIDGE });
    expect(network.routes).toContainEqual(
      expect.objectContaining({ destination: "10.213.0.0/24", dev: TEST_BRIDGE }),
    );
    // The test reaches the server on 127.0.0.1.
    expect(network.session).toEqual({ serverAddress: "127.0.0.1", interface: "lo", isOnDefaultRoute: false });

    // Stopped: its veth is gone from the bridge.
    expect((await callProcedure(server, "containers.stop", { name, force: true })).status).toBe(200);
    expect((await list()).bridges.find((entry) => entry.name === TEST_BRIDGE)?.containers).not.toContain(
      name,
    );
  });

  it("checks the host's network managers for what would take over containers' veths", async () => {
    const response = await callProcedure(server, "network.readiness", undefined, {
      kind: "query",
      as: "viewer",
    });
    expect(response.status).toBe(200);
    expect((response.data as { id: string; status: string }[]).map((check) => check.id)).toEqual([
      "network-manager",
      "udev-persistent-net",
      "systemd-networkd",
    ]);
  });

  it("plans changes as exact commands for admins, checked against the host, and runs nothing", async () => {
    const before = await list();
    const planned = await callProcedure(
      server,
      "network.plan",
      {
        changes: [
          { op: "bridge.create", name: "atbr9" },
          { op: "address.add", dev: "atbr9", cidr: "10.214.0.1/24" },
        ],
      },
      { kind: "query", as: "admin" },
    );
    expect(planned.status).toBe(200);
    expect(
      (planned.data as { steps: { argv: string[] }[] }).steps.map((step) => step.argv.join(" ")),
    ).toEqual([
      "ip link add name atbr9 type bridge",
      "ip link set atbr9 up",
      "ip addr add 10.214.0.1/24 dev atbr9",
    ]);
    expect((await list()).interfaces.map((entry) => entry.name)).toEqual(
      before.interfaces.map((entry) => entry.name),
    );
    const refused = await callProcedure(
      server,
      "network.plan",
      { changes: [{ op: "bridge.addPort", bridge: "nope0", port: TEST_BRIDGE }] },
      { kind: "query", as: "admin" },
    );
    expect(refused.status).toBe(400);
    expect(refused.error?.data.field).toBe("changes.0.bridge");
    const operator = await callProcedure(
      server,
      "network.plan",
      { changes: [{ op: "bridge.create", name: "x0" }] },
      { kind: "query", as: "operator" },
    );
    expect(operator.status).toBe(403);
  });

  it("needs a signed-in user", async () => {
    expect((await callProcedure(server, "network.list", undefined, { kind: "query", as: null })).status).toBe(
      401,
    );
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseNetwork } from "../../host-network/parse";
import { planChanges, ZNetworkChange } from "../../host-network/plan";
import { ipArgs, planStepArgs, runPlanStep } from "./ip";

/** The ip module's arguments: what runs as root for a plan's step or the NAT bridge, checked where it is built. */
const fixture = (file: string) =>
  JSON.parse(
    readFileSync(path.join(import.meta.dirname, "../../host-network/__fixtures__", file), "utf8"),
  ) as never;
const state = parseNetwork(
  fixture("ip-link.json"),
  fixture("ip-addr.json"),
  fixture("ip-route.json"),
  fixture("ip-route6.json"),
);

describe("ip arguments", () => {
  it("accepts every command a network plan makes, steps and undos, and runs them unchanged", () => {
    const plans = [
      [
        { op: "bridge.create", name: "br0", stp: true, forwardDelay: 2 },
        { op: "bridge.addPort", bridge: "br0", port: "nic0", moveAddresses: true },
        { op: "link.set", dev: "br0", mtu: 9000, up: true },
        { op: "address.add", dev: "br0", cidr: "fd00::1/64" },
        { op: "address.remove", dev: "br0", cidr: "fd00::1/64" },
        { op: "bridge.removePort", bridge: "br0", port: "nic0" },
        { op: "route.default", via: "192.0.2.1", dev: "br0" },
      ],
      [
        { op: "bridge.removePort", bridge: "atbr0", port: "vethOsjz7p" },
        { op: "bridge.delete", name: "atbr0" },
      ],
    ].map((changes) =>
      planChanges(
        changes.map((change) => ZNetworkChange.parse(change)),
        state,
        null,
      ),
    );
    const argvs = plans.flatMap((plan) =>
      plan.steps.flatMap((step) => [step.argv, ...step.undo.map((command) => command.argv)]),
    );
    expect(argvs.length).toBeGreaterThan(10);
    for (const argv of argvs) expect(["ip", ...planStepArgs(argv)]).toEqual(argv);
  });

  it("refuses anything else a plan step could hold", () => {
    for (const argv of [
      ["sh", "-c", "reboot"],
      ["ip", "netns", "exec", "x", "sh"],
      ["ip", "link", "add", "name", "br0", "type", "veth"],
      ["ip", "link", "add", "name", "br0", "type", "bridge", "stp_state", "1", "stp_state", "0"],
      ["ip", "link", "set", "eth0", "netns", "1"],
      ["ip", "link", "set", "eth0", "up", "extra"],
      ["ip", "addr", "flush", "dev", "eth0"],
      ["ip", "route", "del", "10.0.0.0/8"],
      ["ip", "route", "replace", "default", "via", "192.0.2.1", "dev", "eth0", "table", "7"],
      ["ip", "-b", "/etc/batch"],
    ])
      expect(() => planStepArgs(argv)).toThrow(/refusing to run/);
  });

  it("runs the undos a plan makes from the host's own values: lo's MTU, a forward delay read back", () => {
    expect(planStepArgs(["ip", "link", "set", "lo", "mtu", "65536"])).toEqual([
      "link",
      "set",
      "lo",
      "mtu",
      "65536",
    ]);
    const odd = { ...state, bridges: state.bridges.map((bridge) => ({ ...bridge, forwardDelay: 0.29 })) };
    const plan = planChanges(
      [
        { op: "link.set", dev: "lo", mtu: 9000 },
        { op: "bridge.removePort", bridge: "atbr0", port: "vethOsjz7p" },
        { op: "bridge.delete", name: "atbr0" },
      ].map((change) => ZNetworkChange.parse(change)),
      odd,
      null,
    );
    for (const { argv } of plan.undo) expect(["ip", ...planStepArgs(argv)]).toEqual(argv);
  });

  it("makes a refused command a failed step, not a throw, and runs nothing for it", async () => {
    await expect(runPlanStep(["sh", "-c", "reboot"])).resolves.toEqual({
      ok: false,
      output: expect.stringMatching(/refusing to run .*not a network plan's ip command/) as unknown,
    });
    await expect(
      runPlanStep(["ip", "link", "add", "name", "br0", "type", "bridge", "forward_delay", "28.99"]),
    ).resolves.toMatchObject({ ok: false, output: expect.stringMatching(/refusing to run/) as unknown });
    await expect(runPlanStep(["ip", "link", "set", "lo", "mtu", "70000"])).resolves.toMatchObject({
      ok: false,
      output: expect.stringMatching(/not an MTU: "70000"/) as unknown,
    });
  });

  it("refuses names and addresses that are not, however the command is shaped", () => {
    expect(() => ipArgs.addBridge("-force")).toThrow(/interface name/);
    expect(() => ipArgs.deleteLink("a".repeat(16))).toThrow(/interface name/);
    expect(() => ipArgs.setMaster("eth0", "br 0")).toThrow(/interface name/);
    expect(() => ipArgs.addAddress("10.0.0.1", "br0")).toThrow(/prefix/);
    expect(() => ipArgs.addAddress("10.0.0.1/24 10.0.0.255", "br0")).toThrow(/prefix/);
    expect(() => ipArgs.addAddress("10.0.0.300/24", "br0")).toThrow(/prefix/);
    expect(() => ipArgs.replaceDefaultRoute("gateway", "br0")).toThrow(/IP address/);
    expect(() => ipArgs.setMtu("br0", 10)).toThrow(/MTU/);
    expect(() => planStepArgs(["ip", "addr", "add", "-6", "dev", "br0"])).toThrow(/prefix/);
  });

  it("builds the NAT bridge's commands", () => {
    expect(ipArgs.addBridge("lxcnat0")).toEqual(["link", "add", "name", "lxcnat0", "type", "bridge"]);
    expect(ipArgs.addAddress("10.0.4.1/24", "lxcnat0")).toEqual([
      "addr",
      "add",
      "10.0.4.1/24",
      "dev",
      "lxcnat0",
    ]);
    expect(ipArgs.setUp("lxcnat0", true)).toEqual(["link", "set", "lxcnat0", "up"]);
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTranslator } from "use-intl/core";
import { isAppError } from "../errors";
import { inEnglish } from "../i18n/english";
import { MESSAGES } from "../i18n/messages";
import { parseNetwork } from "./parse";
import { planChanges, ZNetworkChange, type TNetworkChange } from "./plan";

/** Plans against the captured test-namespace state: nic0 192.0.2.10/24 with the default route, bridge atbr0. */
const json = (file: string) =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, "__fixtures__", file), "utf8")) as never;
const state = parseNetwork(
  json("ip-link.json"),
  json("ip-addr.json"),
  json("ip-route.json"),
  json("ip-route6.json"),
);
const changes = (...input: unknown[]): TNetworkChange[] =>
  input.map((change) => ZNetworkChange.parse(change));
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, field: error.field, message: error.message };
  }
  return null;
};

describe("network plans", () => {
  it("builds the seed tutorial's bridge: create it, move the NIC's address and default route, enslave the NIC", () => {
    const plan = planChanges(
      changes(
        { op: "bridge.create", name: "br0", stp: false, forwardDelay: 2 },
        { op: "bridge.addPort", bridge: "br0", port: "nic0", moveAddresses: true },
      ),
      state,
      "nic0",
    );
    expect(plan.steps.map((step) => step.argv.join(" "))).toEqual([
      "ip link add name br0 type bridge stp_state 0 forward_delay 200",
      "ip link set br0 up",
      "ip addr del 192.0.2.10/24 dev nic0",
      "ip addr add 192.0.2.10/24 dev br0",
      "ip link set nic0 master br0",
      "ip route replace default via 192.0.2.1 dev br0",
    ]);
    // Undo runs the inverse steps in reverse order.
    expect(plan.undo.map((step) => step.argv.join(" "))).toEqual([
      "ip link set nic0 nomaster",
      "ip addr del 192.0.2.10/24 dev br0",
      // Giving the address back first, then the route: the kernel refuses a gateway it cannot reach.
      "ip addr add 192.0.2.10/24 dev nic0",
      "ip route replace default via 192.0.2.1 dev nic0",
      "ip link del br0",
    ]);
    // What the host looks like afterwards: what persistence writes.
    expect(plan.bridgesAfter.find((bridge) => bridge.name === "br0")).toEqual({
      name: "br0",
      ports: ["nic0"],
      addresses: ["192.0.2.10/24"],
      stp: false,
      forwardDelay: 2,
      mtu: 1500,
      gateway: "192.0.2.1",
    });
    expect(plan.claimed).toEqual(["br0"]);
    expect(plan.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.touchesSession).toBe(true);
    expect(
      planChanges(changes({ op: "address.add", dev: "atbr0", cidr: "10.213.1.1/24" }), state, "nic0")
        .touchesSession,
    ).toBe(false);
  });

  it("restores the default route with the address that carried it, and warns", () => {
    const plan = planChanges(
      changes({ op: "address.remove", dev: "nic0", cidr: "192.0.2.10/24" }),
      state,
      null,
    );
    expect(plan.undo.map((step) => step.argv.join(" "))).toEqual([
      "ip addr add 192.0.2.10/24 dev nic0",
      "ip route replace default via 192.0.2.1 dev nic0",
    ]);
    expect(plan.warnings[0]).toMatch(/also removes the default route via 192.0.2.1/);
  });

  it("undoes with the host's own values, written as a plan's command takes them", () => {
    // lo's MTU is 65536; a forward delay of 29 cs reads back as 0.29 s, and 0.29 * 100 is not 29.
    const odd = {
      ...state,
      bridges: state.bridges.map((bridge) => ({ ...bridge, forwardDelay: 29 / 100 })),
    };
    const plan = planChanges(
      changes(
        { op: "link.set", dev: "lo", mtu: 9000 },
        { op: "bridge.removePort", bridge: "atbr0", port: "vethOsjz7p" },
        { op: "bridge.delete", name: "atbr0" },
      ),
      odd,
      null,
    );
    const undo = plan.undo.map((step) => step.argv.join(" "));
    expect(undo).toContain("ip link set lo mtu 65536");
    expect(undo.find((line) => line.startsWith("ip link add name atbr0"))).toMatch(/ forward_delay 29$/);
    expect(plan.warnings).toEqual([]);

    // An MTU set by hand beyond what a plan may set: no undo that would fail, and a warning instead.
    const huge = {
      ...state,
      interfaces: state.interfaces.map((entry) => (entry.name === "lo" ? { ...entry, mtu: 70_000 } : entry)),
    };
    const hugePlan = planChanges(changes({ op: "link.set", dev: "lo", mtu: 9000 }), huge, null);
    expect(hugePlan.undo).toEqual([]);
    expect(hugePlan.warnings).toEqual([
      "The MTU of lo is 70000 now, which Atelier cannot set: rolling back will not restore it.",
    ]);
  });

  it("refuses changes that do not fit the host, naming the change and field", () => {
    expect(
      refusal(() =>
        planChanges(changes({ op: "route.default", via: "203.0.113.1", dev: "nic0" }), state, null),
      ),
    ).toMatchObject({ field: "changes.0.via", message: "203.0.113.1 is not on a network of nic0" });
    expect(
      refusal(() => planChanges(changes({ op: "bridge.addPort", bridge: "atbr0", port: "lo" }), state, null))
        ?.message,
    ).toMatch(/loopback/);
    expect(
      refusal(() => planChanges(changes({ op: "bridge.addPort", bridge: "br9", port: "nic0" }), state, null)),
    ).toEqual({
      code: "BAD_REQUEST",
      field: "changes.0.bridge",
      message: "br9 is not a bridge on this host",
    });
    expect(
      refusal(() => planChanges(changes({ op: "bridge.create", name: "atbr0" }), state, null))?.message,
    ).toBe("An interface named atbr0 already exists");
    expect(
      refusal(() => planChanges(changes({ op: "bridge.delete", name: "atbr0" }), state, null))?.message,
    ).toMatch(/^Bridge atbr0 still has ports: veth/);
    expect(
      refusal(() =>
        planChanges(
          changes(
            { op: "bridge.create", name: "br0" },
            { op: "bridge.addPort", bridge: "br0", port: "nic0" },
            { op: "bridge.addPort", bridge: "atbr0", port: "nic0" },
          ),
          state,
          null,
        ),
      ),
    ).toMatchObject({ field: "changes.2.port", message: "nic0 is already a port of br0" });
    expect(
      refusal(() =>
        planChanges(changes({ op: "address.remove", dev: "nic0", cidr: "192.0.2.99/24" }), state, null),
      )?.field,
    ).toBe("changes.0.cidr");
  });

  it("says each command and warning in English from the catalogue, with the words the pages word it from", () => {
    const seed = planChanges(
      changes(
        { op: "bridge.create", name: "br0", stp: false, forwardDelay: 2 },
        { op: "bridge.addPort", bridge: "br0", port: "nic0", moveAddresses: true },
      ),
      state,
      "nic0",
    );
    // The English as it always was (the API's, and what the end-to-end tests read).
    expect(seed.steps.map((step) => step.description)).toEqual([
      "Create bridge br0",
      "Bring br0 up",
      "Remove 192.0.2.10/24 from nic0",
      "Add 192.0.2.10/24 to br0",
      "Make nic0 a port of br0",
      "Route the default route via 192.0.2.1 through br0",
    ]);
    expect(seed.undo.map((step) => step.description)).toEqual([
      "Take nic0 out of br0",
      "Remove 192.0.2.10/24 from br0",
      "Give 192.0.2.10/24 back to nic0",
      "Route the default route via 192.0.2.1 through nic0",
      "Delete bridge br0",
    ]);
    expect(seed.steps[0]?.words).toEqual({ id: "network.server.plan.createBridge", params: { name: "br0" } });

    const others = [
      planChanges(
        changes(
          { op: "bridge.removePort", bridge: "atbr0", port: "vethOsjz7p" },
          { op: "bridge.delete", name: "atbr0" },
          { op: "address.add", dev: "nic0", cidr: "198.51.100.1/24" },
          { op: "route.default", via: "198.51.100.254", dev: "nic0" },
          { op: "link.set", dev: "lo", mtu: 9000, up: false },
        ),
        state,
        null,
      ),
      planChanges(changes({ op: "bridge.addPort", bridge: "atbr0", port: "nic0" }), state, null),
      planChanges(changes({ op: "address.remove", dev: "nic0", cidr: "192.0.2.10/24" }), state, null),
    ];
    expect(others[0]?.steps.map((step) => step.description)).toEqual([
      "Take vethOsjz7p out of atbr0",
      "Delete bridge atbr0",
      "Add 198.51.100.1/24 to nic0",
      "Route the default route via 198.51.100.254 through nic0",
      "Set the MTU of lo to 9000",
      "Bring lo down",
    ]);
    expect(others[0]?.undo.map((step) => step.description)).toEqual([
      "Bring lo up again",
      "Set the MTU of lo back to 65536",
      "Route the default route via 192.0.2.1 through nic0 again",
      "Remove 198.51.100.1/24 from nic0",
      "Create bridge atbr0 again",
      "Bring atbr0 up",
      "Give 10.213.0.1/24 back to atbr0",
      "Make vethOsjz7p a port of atbr0 again",
    ]);
    expect(others[1]?.warnings).toEqual([
      'nic0 keeps its addresses (192.0.2.10/24) as a port of atbr0; a bridge port\'s own addresses usually stop working. Choose "move its addresses to the bridge" to keep them reachable.',
    ]);
    expect(others[2]?.warnings).toEqual([
      "Removing 192.0.2.10/24 from nic0 also removes the default route via 192.0.2.1: the host loses its way out.",
    ]);

    // Every description and warning has its words, and they say the same in English.
    for (const plan of [seed, ...others]) {
      for (const command of [...plan.steps, ...plan.undo]) {
        expect(command.words, command.description).toBeDefined();
        if (command.words) expect(inEnglish(command.words)).toBe(command.description);
      }
      expect(plan.warningWords.map(inEnglish)).toEqual(plan.warnings);
    }

    // The pages word them in French.
    const french = createTranslator({ locale: "fr", messages: MESSAGES.fr });
    const say = (words: { id: string; params: Record<string, string | number> } | undefined) =>
      words ? french(words.id as never, words.params as never) : "";
    expect(seed.steps.map((step) => say(step.words))).toEqual([
      "Créer le pont br0",
      "Activer br0",
      "Retirer 192.0.2.10/24 de nic0",
      "Ajouter 192.0.2.10/24 à br0",
      "Faire de nic0 un port de br0",
      "Faire passer la route par défaut par 192.0.2.1 sur br0",
    ]);
    expect(say(others[2]?.warningWords[0])).toBe(
      "Retirer 192.0.2.10/24 de nic0 supprime aussi la route par défaut via 192.0.2.1\u00a0: l’hôte n’a plus de sortie.",
    );
  });

  it("accepts only well-formed changes (names, addresses, no shell characters)", () => {
    for (const bad of [
      { op: "bridge.create", name: "br0; reboot" },
      { op: "bridge.create", name: "-br0" },
      { op: "bridge.create", name: "a-name-longer-than-15" },
      { op: "address.add", dev: "br0", cidr: "192.0.2.300/24" },
      { op: "address.add", dev: "br0", cidr: "192.0.2.1" },
      { op: "route.default", via: "$(id)", dev: "br0" },
      { op: "link.set", dev: "br0", mtu: 10 },
      { op: "bridge.create", name: "br0", extra: 1 },
    ]) {
      expect(ZNetworkChange.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

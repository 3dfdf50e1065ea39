import { createTranslator } from "use-intl/core";
import { describe, expect, it } from "vitest";
import { MESSAGES } from "@/server/i18n/messages";
import type { TNetworkChange } from "@/server/host-network/plan";
import type { TNetworkListResponse } from "@/server/trpc/routers/network/network.types";
import {
  OPS,
  applyInput,
  choicesFor,
  describeChange,
  draftFor,
  emptyDraft,
  failedIndexOf,
  fieldsOf,
  opOptions,
  removeChange,
  rollbackSecondsError,
  toChange,
  type TDraft,
} from "./change-planner-draft";

const draft = (change: Partial<TDraft>): TDraft => ({ ...emptyDraft, ...change });

// The planner's words in English (the end-to-end tests read them) and in French.
const t = createTranslator({ locale: "en", messages: MESSAGES.en, namespace: "network.planner" });
const fr = createTranslator({ locale: "fr", messages: MESSAGES.fr, namespace: "network.planner" });

const iface = (
  name: string,
  extra: Partial<TNetworkListResponse["interfaces"][number]> = {},
): TNetworkListResponse["interfaces"][number] => ({
  name,
  index: 1,
  kind: "physical",
  state: "UP",
  isUp: true,
  mac: null,
  mtu: 1500,
  master: null,
  addresses: [],
  rxBytes: null,
  txBytes: null,
  peerInOtherNamespace: false,
  container: null,
  ...extra,
});

const NETWORK = {
  interfaces: [
    iface("lo", { kind: "loopback" }),
    iface("eth0", {
      addresses: [
        { family: "inet", cidr: "192.0.2.10/24", scope: "global" },
        { family: "inet6", cidr: "fe80::1/64", scope: "link" },
      ],
    }),
    iface("eth1", { master: "br0" }),
    iface("eth2"),
    iface("br0", { kind: "bridge" }),
    iface("vethA", { kind: "veth", container: "web" }),
  ],
  bridges: [{ name: "br0", ports: ["eth1"], stp: false, forwardDelay: null, containers: [] }],
  routes: [],
} as unknown as TNetworkListResponse;

describe("toChange", () => {
  it("says what is missing, for each kind of change", () => {
    expect(toChange(draftFor("bridge.create"), t)).toBe("Name the bridge.");
    expect(toChange(draftFor("bridge.delete"), t)).toBe("Pick the bridge.");
    expect(toChange(draft({ op: "bridge.addPort", bridge: "br0" }), t)).toBe("Pick the bridge and the port.");
    expect(toChange(draft({ op: "bridge.removePort", port: "eth1" }), t)).toBe(
      "Pick the bridge and the port.",
    );
    expect(toChange(draft({ op: "address.add", dev: "eth0" }), t)).toBe(
      "Pick the interface and the address.",
    );
    expect(toChange(draft({ op: "address.remove", cidr: "192.0.2.10/24" }), t)).toBe(
      "Pick the interface and the address.",
    );
    expect(toChange(draft({ op: "route.default", dev: "eth0" }), t)).toBe(
      "Give the gateway and the interface.",
    );
    expect(toChange(draftFor("link.set"), t)).toBe("Pick the interface.");
    expect(toChange(draft({ op: "link.set", dev: "eth0" }), t)).toBe("Give an MTU or a state.");
  });

  it("makes a bridge, with a forward delay only when given", () => {
    expect(toChange(draft({ name: " br1 " }), t)).toEqual({ op: "bridge.create", name: "br1", stp: false });
    expect(toChange(draft({ name: "br1", stp: true, forwardDelay: "15" }), t)).toEqual({
      op: "bridge.create",
      name: "br1",
      stp: true,
      forwardDelay: 15,
    });
  });

  it("keeps whether a new port's addresses move (by default they do)", () => {
    expect(toChange(draft({ op: "bridge.addPort", bridge: "br0", port: "eth2" }), t)).toEqual({
      op: "bridge.addPort",
      bridge: "br0",
      port: "eth2",
      moveAddresses: true,
    });
    expect(toChange(draft({ op: "bridge.removePort", bridge: "br0", port: "eth1" }), t)).toEqual({
      op: "bridge.removePort",
      bridge: "br0",
      port: "eth1",
    });
    expect(toChange(draft({ op: "bridge.delete", bridge: "br0" }), t)).toEqual({
      op: "bridge.delete",
      name: "br0",
    });
  });

  it("trims typed addresses", () => {
    expect(toChange(draft({ op: "address.add", dev: "eth0", cidr: " 192.0.2.11/24 " }), t)).toEqual({
      op: "address.add",
      dev: "eth0",
      cidr: "192.0.2.11/24",
    });
    expect(toChange(draft({ op: "route.default", dev: "eth0", via: " 192.0.2.1 " }), t)).toEqual({
      op: "route.default",
      via: "192.0.2.1",
      dev: "eth0",
    });
  });

  it("sets a link's MTU, its state, or both", () => {
    expect(toChange(draft({ op: "link.set", dev: "eth0", mtu: "9000" }), t)).toEqual({
      op: "link.set",
      dev: "eth0",
      mtu: 9000,
    });
    expect(toChange(draft({ op: "link.set", dev: "eth0", state: "down" }), t)).toEqual({
      op: "link.set",
      dev: "eth0",
      up: false,
    });
    expect(toChange(draft({ op: "link.set", dev: "eth0", mtu: "1400", state: "up" }), t)).toEqual({
      op: "link.set",
      dev: "eth0",
      mtu: 1400,
      up: true,
    });
  });
});

describe("draftFor", () => {
  it("starts a kind of change's fields afresh", () => {
    expect(draftFor("link.set")).toEqual({ ...emptyDraft, op: "link.set" });
  });

  it("offers every kind of change, each named", () => {
    expect(OPS.map((op) => op.value)).toHaveLength(8);
    expect(opOptions(t)[0]).toEqual({ value: "bridge.create", label: "Create a bridge" });
    expect(opOptions(fr)[0]).toEqual({ value: "bridge.create", label: "Créer un pont" });
  });
});

describe("fieldsOf", () => {
  it("shows the bridge for bridge changes and the interface for the others", () => {
    expect(fieldsOf("bridge.create")).toEqual({ hasBridge: false, hasDev: false });
    for (const op of ["bridge.delete", "bridge.addPort", "bridge.removePort"] as const)
      expect(fieldsOf(op)).toEqual({ hasBridge: true, hasDev: false });
    for (const op of ["address.add", "address.remove", "route.default", "link.set"] as const)
      expect(fieldsOf(op)).toEqual({ hasBridge: false, hasDev: true });
  });
});

describe("choicesFor", () => {
  it("offers the bridges this plan creates to its later changes", () => {
    const planned: TNetworkChange[] = [{ op: "bridge.create", name: "br9" }];
    const choices = choicesFor(NETWORK, planned, emptyDraft);
    expect(choices.bridges).toEqual(["br0", "br9"]);
    expect(choices.names).toEqual(["lo", "eth0", "eth1", "eth2", "br0", "vethA", "br9"]);
  });

  it("offers as free ports neither bridges, the loopback, ports nor containers' veths", () => {
    expect(choicesFor(NETWORK, [], emptyDraft).freePorts).toEqual(["eth0", "eth2"]);
  });

  it("offers the chosen bridge's ports and the chosen interface's addresses but link-local ones", () => {
    const choices = choicesFor(NETWORK, [], draft({ bridge: "br0", dev: "eth0" }));
    expect(choices.portsOf).toEqual(["eth1"]);
    expect(choices.addressesOf).toEqual(["192.0.2.10/24"]);
    expect(choicesFor(NETWORK, [], draft({ bridge: "nope", dev: "nope" }))).toMatchObject({
      portsOf: [],
      addressesOf: [],
    });
  });
});

describe("the plan", () => {
  it("removes one change by its place", () => {
    expect(removeChange(["a", "b", "c"], 1)).toEqual(["a", "c"]);
  });

  it("finds the change a refusal names", () => {
    expect(failedIndexOf({ data: { field: "changes.2.cidr" } })).toBe(2);
    expect(failedIndexOf({ data: { field: "digest" } })).toBeNull();
    expect(failedIndexOf({ data: { field: null } })).toBeNull();
    expect(failedIndexOf(null)).toBeNull();
  });

  it("bounds the rollback time only when one is asked for", () => {
    expect(rollbackSecondsError(false, "1", t)).toBeNull();
    expect(rollbackSecondsError(true, "60", t)).toBeNull();
    expect(rollbackSecondsError(true, "5", t)).toBeNull();
    expect(rollbackSecondsError(true, "600", t)).toBeNull();
    for (const bad of ["4", "601", "7.5", "soon"])
      expect(rollbackSecondsError(true, bad, t)).toBe("Between 5 and 600 seconds.");
  });

  it("sends the rollback time only with a rollback", () => {
    const changes: TNetworkChange[] = [{ op: "bridge.delete", name: "br0" }];
    expect(applyInput(changes, "d", false, "60")).toEqual({ changes, digest: "d" });
    expect(applyInput(changes, "d", true, "60")).toEqual({ changes, digest: "d", rollbackSeconds: 60 });
  });
});

describe("describeChange", () => {
  it.each<[TNetworkChange, string]>([
    [{ op: "bridge.create", name: "br1" }, "Create bridge br1"],
    [
      { op: "bridge.create", name: "br1", stp: true, forwardDelay: 4 },
      "Create bridge br1 with STP, forward delay 4 s",
    ],
    [{ op: "bridge.delete", name: "br1" }, "Delete bridge br1"],
    [
      { op: "bridge.addPort", bridge: "br0", port: "eth2", moveAddresses: true },
      "Make eth2 a port of br0, moving its addresses and default route to the bridge",
    ],
    [{ op: "bridge.addPort", bridge: "br0", port: "eth2", moveAddresses: false }, "Make eth2 a port of br0"],
    [{ op: "bridge.removePort", bridge: "br0", port: "eth1" }, "Take eth1 out of br0"],
    [{ op: "address.add", dev: "eth0", cidr: "192.0.2.11/24" }, "Add 192.0.2.11/24 to eth0"],
    [{ op: "address.remove", dev: "eth0", cidr: "192.0.2.11/24" }, "Remove 192.0.2.11/24 from eth0"],
    [{ op: "route.default", dev: "eth0", via: "192.0.2.1" }, "Default route via 192.0.2.1 on eth0"],
    [{ op: "link.set", dev: "eth0", mtu: 9000, up: false }, "Set eth0 MTU 9000 down"],
    [{ op: "link.set", dev: "eth0", up: true }, "Set eth0 up"],
  ])("%j", (change, words) => {
    expect(describeChange(change, t)).toBe(words);
  });
});

describe("in French", () => {
  it("words a change and what is missing", () => {
    expect(describeChange({ op: "link.set", dev: "eth0", mtu: 9000, up: false }, fr)).toBe(
      "Désactiver eth0, MTU 9000",
    );
    expect(describeChange({ op: "bridge.create", name: "br1", stp: true, forwardDelay: 4 }, fr)).toBe(
      "Créer le pont br1 avec STP, délai de transfert 4\u00a0s",
    );
    expect(toChange(draftFor("bridge.create"), fr)).toBe("Nommez le pont.");
    expect(rollbackSecondsError(true, "4", fr)).toBe("Entre 5 et 600\u00a0secondes.");
  });
});

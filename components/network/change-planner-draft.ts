import type { TNetworkChange } from "@/server/host-network/plan";
import type { TNetworkListResponse } from "@/server/trpc/routers/network/network.types";

/**
 * The network change planner's draft: the change being written (plain strings, as its fields hold them), the plan's
 * list of changes, and the choices the fields offer, from the host's network as it is plus the bridges the plan
 * already creates. `toChange` turns the draft into one procedure change, or says what is missing.
 */
export const OPS = [
  { value: "bridge.create", label: "Create a bridge" },
  { value: "bridge.addPort", label: "Add a port to a bridge" },
  { value: "bridge.removePort", label: "Take a port out of a bridge" },
  { value: "bridge.delete", label: "Delete a bridge" },
  { value: "address.add", label: "Add an address" },
  { value: "address.remove", label: "Remove an address" },
  { value: "route.default", label: "Set the default route" },
  { value: "link.set", label: "Set MTU or up/down" },
] as const;
export type TOp = (typeof OPS)[number]["value"];

/** A change in words, for the list. */
export const describeChange = (change: TNetworkChange) => {
  switch (change.op) {
    case "bridge.create":
      return `Create bridge ${change.name}${change.stp ? " with STP" : ""}${change.forwardDelay !== undefined ? `, forward delay ${change.forwardDelay} s` : ""}`;
    case "bridge.delete":
      return `Delete bridge ${change.name}`;
    case "bridge.addPort":
      return `Make ${change.port} a port of ${change.bridge}${change.moveAddresses ? ", moving its addresses and default route to the bridge" : ""}`;
    case "bridge.removePort":
      return `Take ${change.port} out of ${change.bridge}`;
    case "address.add":
      return `Add ${change.cidr} to ${change.dev}`;
    case "address.remove":
      return `Remove ${change.cidr} from ${change.dev}`;
    case "route.default":
      return `Default route via ${change.via} on ${change.dev}`;
    case "link.set":
      return `Set ${change.dev}${change.mtu !== undefined ? ` MTU ${change.mtu}` : ""}${change.up === undefined ? "" : change.up ? " up" : " down"}`;
  }
};

export type TDraft = {
  op: TOp;
  name: string;
  stp: boolean;
  forwardDelay: string;
  bridge: string;
  port: string;
  moveAddresses: boolean;
  dev: string;
  cidr: string;
  via: string;
  mtu: string;
  state: "" | "up" | "down";
};

export const emptyDraft: TDraft = {
  op: "bridge.create",
  name: "",
  stp: false,
  forwardDelay: "",
  bridge: "",
  port: "",
  moveAddresses: true,
  dev: "",
  cidr: "",
  via: "",
  mtu: "",
  state: "",
};

/** A fresh draft of one kind of change: choosing another kind, or after one is added, starts its fields afresh. */
export const draftFor = (op: TOp): TDraft => ({ ...emptyDraft, op });

/** The draft as one change of the procedure's input, or what is missing (the server checks the values). */
export const toChange = (draft: TDraft): TNetworkChange | string => {
  switch (draft.op) {
    case "bridge.create":
      if (!draft.name) return "Name the bridge.";
      return {
        op: draft.op,
        name: draft.name.trim(),
        stp: draft.stp,
        ...(draft.forwardDelay ? { forwardDelay: Number(draft.forwardDelay) } : {}),
      };
    case "bridge.delete":
      return draft.bridge ? { op: draft.op, name: draft.bridge } : "Pick the bridge.";
    case "bridge.addPort":
      if (!draft.bridge || !draft.port) return "Pick the bridge and the port.";
      return { op: draft.op, bridge: draft.bridge, port: draft.port, moveAddresses: draft.moveAddresses };
    case "bridge.removePort":
      if (!draft.bridge || !draft.port) return "Pick the bridge and the port.";
      return { op: draft.op, bridge: draft.bridge, port: draft.port };
    case "address.add":
    case "address.remove":
      if (!draft.dev || !draft.cidr) return "Pick the interface and the address.";
      return { op: draft.op, dev: draft.dev, cidr: draft.cidr.trim() };
    case "route.default":
      if (!draft.dev || !draft.via) return "Give the gateway and the interface.";
      return { op: draft.op, via: draft.via.trim(), dev: draft.dev };
    case "link.set":
      if (!draft.dev) return "Pick the interface.";
      if (!draft.mtu && !draft.state) return "Give an MTU or a state.";
      return {
        op: draft.op,
        dev: draft.dev,
        ...(draft.mtu ? { mtu: Number(draft.mtu) } : {}),
        ...(draft.state ? { up: draft.state === "up" } : {}),
      };
  }
};

/** Which fields a kind of change shows. */
export const fieldsOf = (op: TOp) => ({
  hasBridge: op === "bridge.delete" || op === "bridge.addPort" || op === "bridge.removePort",
  hasDev: op === "address.add" || op === "address.remove" || op === "route.default" || op === "link.set",
});

/**
 * What the fields offer: the host's interfaces and bridges plus the bridges this plan creates (its later changes
 * can use them), the ports free to join a bridge, the chosen bridge's ports and the chosen interface's addresses.
 */
export const choicesFor = (
  network: TNetworkListResponse,
  changes: readonly TNetworkChange[],
  draft: TDraft,
) => {
  const planned = changes.flatMap((change) => (change.op === "bridge.create" ? [change.name] : []));
  return {
    names: [...network.interfaces.map((entry) => entry.name), ...planned],
    bridges: [...network.bridges.map((bridge) => bridge.name), ...planned],
    // Not a bridge, the loopback, another bridge's port or a container's veth.
    freePorts: network.interfaces
      .filter(
        (entry) => entry.kind !== "bridge" && entry.kind !== "loopback" && !entry.master && !entry.container,
      )
      .map((entry) => entry.name),
    portsOf: network.bridges.find((bridge) => bridge.name === draft.bridge)?.ports ?? [],
    // Link-local addresses come and go with the link: removing one is not a plan's business.
    addressesOf: (network.interfaces.find((entry) => entry.name === draft.dev)?.addresses ?? [])
      .filter((address) => address.scope !== "link")
      .map((address) => address.cidr),
  };
};

export const removeChange = <T>(changes: readonly T[], index: number) =>
  changes.filter((_, position) => position !== index);

/** The change a refused plan names (its error's field is `changes.N.…`), or null when it names none. */
export const failedIndexOf = (error: unknown) => {
  const field = (error as { data?: { field?: string | null } } | null)?.data?.field ?? "";
  const match = /^changes\.(\d+)\./.exec(field);
  return match ? Number(match[1]) : null;
};

/** The rollback time's error, with network.applyPlan's bounds; none when no rollback is asked for. */
export const rollbackSecondsError = (withRollback: boolean, rollbackSeconds: string) => {
  const seconds = Number(rollbackSeconds);
  return withRollback && (!Number.isInteger(seconds) || seconds < 5 || seconds > 600)
    ? "Between 5 and 600 seconds."
    : null;
};

/** network.applyPlan's input for a reviewed plan. */
export const applyInput = (
  changes: TNetworkChange[],
  digest: string,
  withRollback: boolean,
  rollbackSeconds: string,
) => ({ changes, digest, ...(withRollback ? { rollbackSeconds: Number(rollbackSeconds) } : {}) });

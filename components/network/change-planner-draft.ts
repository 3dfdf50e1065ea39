import type { useTranslations } from "next-intl";
import type { TNetworkChange } from "@/server/host-network/plan";
import type { TNetworkListResponse } from "@/server/trpc/routers/network/network.types";

/**
 * The network change planner's draft: the change being written (plain strings, as its fields hold them), the plan's
 * list of changes, and the choices the fields offer, from the host's network as it is plus the bridges the plan
 * already creates. `toChange` turns the draft into one procedure change, or says what is missing. Words come from
 * the planner's catalogue (`useTranslations("network.planner")`, passed in as `t`).
 */
export type TPlannerT = ReturnType<typeof useTranslations<"network.planner">>;

/** The kinds of change, each with its label's key in the catalogue (`ops.<key>`). */
export const OPS = [
  { value: "bridge.create", key: "createBridge" },
  { value: "bridge.addPort", key: "addPort" },
  { value: "bridge.removePort", key: "removePort" },
  { value: "bridge.delete", key: "deleteBridge" },
  { value: "address.add", key: "addAddress" },
  { value: "address.remove", key: "removeAddress" },
  { value: "route.default", key: "defaultRoute" },
  { value: "link.set", key: "setLink" },
] as const;
export type TOp = (typeof OPS)[number]["value"];

/** The kinds of change as the select offers them, in the page's language. */
export const opOptions = (t: TPlannerT) => OPS.map(({ value, key }) => ({ value, label: t(`ops.${key}`) }));

const yesNo = (value: boolean | undefined) => (value ? "yes" : "no");

/** A change in words, for the list. Figures stay as typed (an MTU of 9000 is no "9,000"). */
export const describeChange = (change: TNetworkChange, t: TPlannerT) => {
  switch (change.op) {
    case "bridge.create":
      return t("describe.createBridge", {
        name: change.name,
        stp: yesNo(change.stp),
        hasDelay: yesNo(change.forwardDelay !== undefined),
        delay: String(change.forwardDelay ?? ""),
      });
    case "bridge.delete":
      return t("describe.deleteBridge", { name: change.name });
    case "bridge.addPort":
      return t("describe.addPort", {
        port: change.port,
        bridge: change.bridge,
        moveAddresses: yesNo(change.moveAddresses),
      });
    case "bridge.removePort":
      return t("describe.removePort", { port: change.port, bridge: change.bridge });
    case "address.add":
      return t("describe.addAddress", { cidr: change.cidr, dev: change.dev });
    case "address.remove":
      return t("describe.removeAddress", { cidr: change.cidr, dev: change.dev });
    case "route.default":
      return t("describe.defaultRoute", { via: change.via, dev: change.dev });
    case "link.set":
      return t("describe.setLink", {
        dev: change.dev,
        hasMtu: yesNo(change.mtu !== undefined),
        mtu: String(change.mtu ?? ""),
        state: change.up === undefined ? "unchanged" : change.up ? "up" : "down",
      });
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
export const toChange = (draft: TDraft, t: TPlannerT): TNetworkChange | string => {
  switch (draft.op) {
    case "bridge.create":
      if (!draft.name) return t("missing.name");
      return {
        op: draft.op,
        name: draft.name.trim(),
        stp: draft.stp,
        ...(draft.forwardDelay ? { forwardDelay: Number(draft.forwardDelay) } : {}),
      };
    case "bridge.delete":
      return draft.bridge ? { op: draft.op, name: draft.bridge } : t("missing.bridge");
    case "bridge.addPort":
      if (!draft.bridge || !draft.port) return t("missing.bridgeAndPort");
      return { op: draft.op, bridge: draft.bridge, port: draft.port, moveAddresses: draft.moveAddresses };
    case "bridge.removePort":
      if (!draft.bridge || !draft.port) return t("missing.bridgeAndPort");
      return { op: draft.op, bridge: draft.bridge, port: draft.port };
    case "address.add":
    case "address.remove":
      if (!draft.dev || !draft.cidr) return t("missing.interfaceAndAddress");
      return { op: draft.op, dev: draft.dev, cidr: draft.cidr.trim() };
    case "route.default":
      if (!draft.dev || !draft.via) return t("missing.gatewayAndInterface");
      return { op: draft.op, via: draft.via.trim(), dev: draft.dev };
    case "link.set":
      if (!draft.dev) return t("missing.interface");
      if (!draft.mtu && !draft.state) return t("missing.mtuOrState");
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
export const rollbackSecondsError = (withRollback: boolean, rollbackSeconds: string, t: TPlannerT) => {
  const seconds = Number(rollbackSeconds);
  return withRollback && (!Number.isInteger(seconds) || seconds < 5 || seconds > 600)
    ? t("secondsRange")
    : null;
};

/** network.applyPlan's input for a reviewed plan. */
export const applyInput = (
  changes: TNetworkChange[],
  digest: string,
  withRollback: boolean,
  rollbackSeconds: string,
) => ({ changes, digest, ...(withRollback ? { rollbackSeconds: Number(rollbackSeconds) } : {}) });

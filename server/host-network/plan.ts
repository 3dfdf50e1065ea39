import { createHash } from "node:crypto";
import { AppError, said } from "../errors";
import { phrase, wordsOf, type TPhrase, type TWords } from "../i18n/english";
import { isIP } from "../schemas/lxc-config/validate";
import { inSubnet } from "../schemas/ipv4";
import { ZInterfaceName } from "../schemas/network";
import { PLAN_MTU, ZNetworkChange, type TNetworkChange } from "../schemas/network-change";
import type { TBridge, TInterface, TRoute } from "./parse";

/**
 * Network changes as a plan: each change becomes the exact `ip` commands (argument arrays) that would apply it,
 * checked against the host's current state, with the commands that would undo it, and the state the host will be in
 * afterwards (what persistence writes). Nothing here runs anything: the plan is what the Network page shows before
 * anything is applied, and what network.apply runs, step by step, when its digest still matches.
 */
export { ZInterfaceName, ZNetworkChange, type TNetworkChange };

/**
 * A command and what it does, in English (`description`) with its words beside (the pages word it in the reader's
 * language; a step journaled or recorded before words were kept has none).
 */
export type TCommand = { description: string; argv: string[]; words?: TWords };
/** A step, and the commands that undo it (run in their order, when rolling back past this step). */
export type TPlanStep = TCommand & { undo: TCommand[] };
/** A bridge as the plan leaves it: what persistence writes for the bridges Atelier manages. */
export type TBridgeEnd = {
  name: string;
  ports: string[];
  addresses: string[];
  stp: boolean;
  forwardDelay: number;
  mtu: number | null;
  /** The IPv4 default route's gateway, when it goes through this bridge. */
  gateway: string | null;
};
export type TPlan = {
  steps: TPlanStep[];
  /** Every undo command, in the order a full rollback runs them. */
  undo: TCommand[];
  touchesSession: boolean;
  /** Things worth knowing before applying (a default route removed with an address, ...). */
  warnings: string[];
  /** Each warning's words, in the same order. */
  warningWords: TWords[];
  /** The bridges created or given ports by these changes (Atelier manages them from then on), and those deleted. */
  claimed: string[];
  released: string[];
  /** Every bridge as the plan leaves it. */
  bridgesAfter: TBridgeEnd[];
  /** The SHA-256 of the steps: network.apply runs a plan only when the plan it computes has the digest shown. */
  digest: string;
};
export type TNetworkState = { interfaces: TInterface[]; bridges: TBridge[]; routes: TRoute[] };

/**
 * The kernel counts a forward delay in centiseconds, and ip -j prints it so (parse.ts makes it seconds): 29 cs read
 * back is 0.29 s, and 0.29 * 100 is 28.999999999999996, which no ip command takes.
 */
const centiseconds = (seconds: number) => String(Math.round(seconds * 100));

/** A command described by a sentence of the catalogue. */
const commandOf = (description: TPhrase, argv: string[]): TCommand => ({
  description: description.text,
  argv,
  words: wordsOf(description),
});

const refuse = (index: number, field: string, words: ReturnType<typeof said>): never => {
  throw new AppError("BAD_REQUEST", { ...words, field: `changes.${index}.${field}` });
};

export const planChanges = (
  changes: TNetworkChange[],
  state: TNetworkState,
  sessionInterface: string | null,
): TPlan => {
  // Each change is checked against the state as the changes before it leave it.
  const names = new Set(state.interfaces.map((entry) => entry.name));
  const bridges = new Map(
    state.bridges.map((bridge) => [
      bridge.name,
      { stp: bridge.stp ?? false, forwardDelay: bridge.forwardDelay ?? 15 },
    ]),
  );
  const masters = new Map(state.interfaces.map((entry) => [entry.name, entry.master]));
  const mtus = new Map(state.interfaces.map((entry) => [entry.name, entry.mtu]));
  const addresses = new Map(
    state.interfaces.map((entry) => [
      entry.name,
      entry.addresses.filter((a) => a.scope !== "link").map((a) => a.cidr),
    ]),
  );
  const defaultRoute = state.routes.find((route) => route.isDefault && route.family === "inet");
  let defaultVia =
    defaultRoute?.gateway && defaultRoute.dev ? { via: defaultRoute.gateway, dev: defaultRoute.dev } : null;
  const steps: TPlanStep[] = [];
  const warnings: TPhrase[] = [];
  const touched = new Set<string>();
  const claimed = new Set<string>();
  const released = new Set<string>();
  const step = (description: TPhrase, argv: string[], undo: TCommand[] = []) => {
    steps.push({ ...commandOf(description, argv), undo });
  };
  const routeArgv = (via: string, dev: string) => [
    "ip",
    "route",
    "replace",
    "default",
    "via",
    via,
    "dev",
    dev,
  ];
  const routeVia = (via: string, dev: string): TCommand =>
    commandOf(phrase("plan.routeDefault", { via, dev }), routeArgv(via, dev));
  const mustExist = (index: number, field: string, name: string) => {
    if (!names.has(name)) refuse(index, field, said("interfaceNotOnHost", { name }));
  };
  /** Removing the address the default route's gateway is reached through makes the kernel drop the route. */
  const dropsDefaultRoute = (dev: string, cidr: string) =>
    defaultVia !== null && defaultVia.dev === dev && inSubnet(defaultVia.via, cidr);

  changes.forEach((change, index) => {
    switch (change.op) {
      case "bridge.create": {
        if (names.has(change.name)) refuse(index, "name", said("interfaceNameTaken", { name: change.name }));
        const options = [
          ...(change.stp === undefined ? [] : ["stp_state", change.stp ? "1" : "0"]),
          ...(change.forwardDelay === undefined ? [] : ["forward_delay", centiseconds(change.forwardDelay)]),
        ];
        step(
          phrase("plan.createBridge", { name: change.name }),
          ["ip", "link", "add", "name", change.name, "type", "bridge", ...options],
          [commandOf(phrase("plan.deleteBridge", { name: change.name }), ["ip", "link", "del", change.name])],
        );
        step(phrase("plan.link", { state: "up", dev: change.name }), [
          "ip",
          "link",
          "set",
          change.name,
          "up",
        ]);
        names.add(change.name);
        bridges.set(change.name, { stp: change.stp ?? false, forwardDelay: change.forwardDelay ?? 15 });
        addresses.set(change.name, []);
        mtus.set(change.name, 1500);
        claimed.add(change.name);
        released.delete(change.name);
        break;
      }
      case "bridge.delete": {
        const options = bridges.get(change.name);
        if (!options) refuse(index, "name", said("notABridgeOnHost", { name: change.name }));
        const ports = [...masters].filter(([, master]) => master === change.name).map(([name]) => name);
        if (ports.length > 0)
          refuse(index, "name", said("bridgeHasPorts", { name: change.name, ports: ports.join(", ") }));
        touched.add(change.name);
        const own = addresses.get(change.name) ?? [];
        const route = defaultVia?.dev === change.name ? defaultVia : null;
        if (route)
          warnings.push(phrase("plan.warnings.deleteDropsRoute", { name: change.name, via: route.via }));
        // Undo builds it again as it is now: options, up, addresses, the default route through it.
        step(
          phrase("plan.deleteBridge", { name: change.name }),
          ["ip", "link", "del", change.name],
          [
            commandOf(phrase("plan.createBridgeAgain", { name: change.name }), [
              "ip",
              "link",
              "add",
              "name",
              change.name,
              "type",
              "bridge",
              "stp_state",
              options?.stp ? "1" : "0",
              "forward_delay",
              centiseconds(options?.forwardDelay ?? 15),
            ]),
            commandOf(phrase("plan.link", { state: "up", dev: change.name }), [
              "ip",
              "link",
              "set",
              change.name,
              "up",
            ]),
            ...own.map((cidr) =>
              commandOf(phrase("plan.giveBack", { cidr, dev: change.name }), [
                "ip",
                "addr",
                "add",
                cidr,
                "dev",
                change.name,
              ]),
            ),
            ...(route ? [routeVia(route.via, change.name)] : []),
          ],
        );
        if (route) defaultVia = null;
        names.delete(change.name);
        bridges.delete(change.name);
        addresses.delete(change.name);
        claimed.delete(change.name);
        released.add(change.name);
        break;
      }
      case "bridge.addPort": {
        if (!bridges.has(change.bridge))
          refuse(index, "bridge", said("notABridgeOnHost", { name: change.bridge }));
        mustExist(index, "port", change.port);
        if (bridges.has(change.port)) refuse(index, "port", said("portIsABridge", { port: change.port }));
        if (state.interfaces.find((entry) => entry.name === change.port)?.kind === "loopback")
          refuse(index, "port", said("portIsLoopback", { port: change.port }));
        if (masters.get(change.port))
          refuse(
            index,
            "port",
            said("portHasBridge", { port: change.port, bridge: masters.get(change.port) ?? "" }),
          );
        touched.add(change.port);
        touched.add(change.bridge);
        claimed.add(change.bridge);
        const route = defaultVia?.dev === change.port ? defaultVia : null;
        if (change.moveAddresses) {
          const moving = addresses.get(change.port) ?? [];
          moving.forEach((cidr, position) => {
            // Taking the address off drops a default route through it; giving it back brings the route back too.
            const restoresRoute = route !== null && position === moving.length - 1;
            step(
              phrase("plan.removeAddress", { cidr, dev: change.port }),
              ["ip", "addr", "del", cidr, "dev", change.port],
              [
                commandOf(phrase("plan.giveBack", { cidr, dev: change.port }), [
                  "ip",
                  "addr",
                  "add",
                  cidr,
                  "dev",
                  change.port,
                ]),
                ...(restoresRoute && route ? [routeVia(route.via, change.port)] : []),
              ],
            );
            step(
              phrase("plan.addAddress", { cidr, dev: change.bridge }),
              ["ip", "addr", "add", cidr, "dev", change.bridge],
              [
                commandOf(phrase("plan.removeAddress", { cidr, dev: change.bridge }), [
                  "ip",
                  "addr",
                  "del",
                  cidr,
                  "dev",
                  change.bridge,
                ]),
              ],
            );
            addresses.set(change.bridge, [...(addresses.get(change.bridge) ?? []), cidr]);
          });
          addresses.set(change.port, []);
        } else if ((addresses.get(change.port) ?? []).length > 0) {
          warnings.push(
            phrase("plan.warnings.portKeepsAddresses", {
              port: change.port,
              addresses: (addresses.get(change.port) ?? []).join(", "),
              bridge: change.bridge,
            }),
          );
        }
        step(
          phrase("plan.addPort", { port: change.port, bridge: change.bridge }),
          ["ip", "link", "set", change.port, "master", change.bridge],
          [
            commandOf(phrase("plan.removePort", { port: change.port, bridge: change.bridge }), [
              "ip",
              "link",
              "set",
              change.port,
              "nomaster",
            ]),
          ],
        );
        masters.set(change.port, change.bridge);
        if (change.moveAddresses && route) {
          step(
            phrase("plan.routeDefault", { via: route.via, dev: change.bridge }),
            routeArgv(route.via, change.bridge),
          );
          defaultVia = { via: route.via, dev: change.bridge };
        }
        break;
      }
      case "bridge.removePort": {
        if (masters.get(change.port) !== change.bridge)
          refuse(index, "port", said("notAPortOf", { port: change.port, bridge: change.bridge }));
        touched.add(change.port);
        touched.add(change.bridge);
        step(
          phrase("plan.removePort", { port: change.port, bridge: change.bridge }),
          ["ip", "link", "set", change.port, "nomaster"],
          [
            commandOf(phrase("plan.addPortAgain", { port: change.port, bridge: change.bridge }), [
              "ip",
              "link",
              "set",
              change.port,
              "master",
              change.bridge,
            ]),
          ],
        );
        masters.set(change.port, null);
        break;
      }
      case "address.add": {
        mustExist(index, "dev", change.dev);
        if ((addresses.get(change.dev) ?? []).includes(change.cidr))
          refuse(index, "cidr", said("addressTaken", { dev: change.dev, cidr: change.cidr }));
        touched.add(change.dev);
        step(
          phrase("plan.addAddress", { cidr: change.cidr, dev: change.dev }),
          ["ip", "addr", "add", change.cidr, "dev", change.dev],
          [
            commandOf(phrase("plan.removeAddress", { cidr: change.cidr, dev: change.dev }), [
              "ip",
              "addr",
              "del",
              change.cidr,
              "dev",
              change.dev,
            ]),
          ],
        );
        addresses.set(change.dev, [...(addresses.get(change.dev) ?? []), change.cidr]);
        break;
      }
      case "address.remove": {
        mustExist(index, "dev", change.dev);
        if (!(addresses.get(change.dev) ?? []).includes(change.cidr))
          refuse(index, "cidr", said("addressMissing", { dev: change.dev, cidr: change.cidr }));
        touched.add(change.dev);
        const route = dropsDefaultRoute(change.dev, change.cidr) ? defaultVia : null;
        if (route)
          warnings.push(
            phrase("plan.warnings.removeDropsRoute", { cidr: change.cidr, dev: change.dev, via: route.via }),
          );
        step(
          phrase("plan.removeAddress", { cidr: change.cidr, dev: change.dev }),
          ["ip", "addr", "del", change.cidr, "dev", change.dev],
          [
            commandOf(phrase("plan.giveBack", { cidr: change.cidr, dev: change.dev }), [
              "ip",
              "addr",
              "add",
              change.cidr,
              "dev",
              change.dev,
            ]),
            ...(route ? [routeVia(route.via, route.dev)] : []),
          ],
        );
        if (route) defaultVia = null;
        addresses.set(
          change.dev,
          (addresses.get(change.dev) ?? []).filter((value) => value !== change.cidr),
        );
        break;
      }
      case "route.default": {
        mustExist(index, "dev", change.dev);
        if (
          isIP(change.via) === 4 &&
          !(addresses.get(change.dev) ?? []).some((cidr) => inSubnet(change.via, cidr))
        )
          refuse(index, "via", said("gatewayOffNetwork", { via: change.via, dev: change.dev }));
        touched.add(change.dev);
        if (defaultVia?.dev) touched.add(defaultVia.dev);
        const before = defaultVia;
        step(
          phrase("plan.routeDefault", { via: change.via, dev: change.dev }),
          routeArgv(change.via, change.dev),
          [
            before
              ? commandOf(
                  phrase("plan.routeDefaultAgain", { via: before.via, dev: before.dev }),
                  routeArgv(before.via, before.dev),
                )
              : commandOf(phrase("plan.removeDefaultRoute"), ["ip", "route", "del", "default"]),
          ],
        );
        defaultVia = { via: change.via, dev: change.dev };
        break;
      }
      case "link.set": {
        mustExist(index, "dev", change.dev);
        touched.add(change.dev);
        const current = state.interfaces.find((entry) => entry.name === change.dev);
        if (change.mtu !== undefined) {
          const previous = mtus.get(change.dev) ?? current?.mtu;
          // An MTU set by hand outside what a plan may set (lo takes any) could not be set back: said now, not
          // found out as a failed undo.
          const isRestorable = previous !== undefined && previous >= PLAN_MTU.min && previous <= PLAN_MTU.max;
          if (previous && !isRestorable)
            warnings.push(
              phrase("plan.warnings.mtuNotRestorable", { dev: change.dev, mtu: String(previous) }),
            );
          step(
            phrase("plan.setMtu", { dev: change.dev, mtu: String(change.mtu) }),
            ["ip", "link", "set", change.dev, "mtu", String(change.mtu)],
            isRestorable
              ? [
                  commandOf(phrase("plan.setMtuBack", { dev: change.dev, mtu: String(previous) }), [
                    "ip",
                    "link",
                    "set",
                    change.dev,
                    "mtu",
                    String(previous),
                  ]),
                ]
              : [],
          );
          mtus.set(change.dev, change.mtu);
        }
        if (change.up !== undefined)
          step(
            phrase("plan.link", { state: change.up ? "up" : "down", dev: change.dev }),
            ["ip", "link", "set", change.dev, change.up ? "up" : "down"],
            [
              commandOf(phrase("plan.linkAgain", { state: change.up ? "down" : "up", dev: change.dev }), [
                "ip",
                "link",
                "set",
                change.dev,
                change.up ? "down" : "up",
              ]),
            ],
          );
        break;
      }
    }
  });
  const bridgesAfter: TBridgeEnd[] = [...bridges].map(([name, options]) => ({
    name,
    ports: [...masters].filter(([, master]) => master === name).map(([port]) => port),
    addresses: addresses.get(name) ?? [],
    stp: options.stp,
    forwardDelay: options.forwardDelay,
    mtu: mtus.get(name) ?? null,
    gateway: defaultVia?.dev === name ? defaultVia.via : null,
  }));
  return {
    steps,
    undo: steps.toReversed().flatMap((entry) => entry.undo),
    // A change to the interface the browser came in on (its address, its bridge, the default route through it).
    touchesSession: sessionInterface !== null && touched.has(sessionInterface),
    warnings: warnings.map((warning) => warning.text),
    warningWords: warnings.map(wordsOf),
    claimed: [...claimed],
    released: [...released],
    bridgesAfter,
    digest: createHash("sha256")
      .update(JSON.stringify(steps.map((entry) => [entry.argv, entry.undo.map((command) => command.argv)])))
      .digest("hex"),
  };
};

import { createHash } from "node:crypto";
import { AppError, said } from "../errors";
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

export type TCommand = { description: string; argv: string[] };
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
  const warnings: string[] = [];
  const touched = new Set<string>();
  const claimed = new Set<string>();
  const released = new Set<string>();
  const step = (description: string, argv: string[], undo: TCommand[] = []) => {
    steps.push({ description, argv, undo });
  };
  const routeVia = (via: string, dev: string): TCommand => ({
    description: `Route the default route via ${via} through ${dev}`,
    argv: ["ip", "route", "replace", "default", "via", via, "dev", dev],
  });
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
          `Create bridge ${change.name}`,
          ["ip", "link", "add", "name", change.name, "type", "bridge", ...options],
          [{ description: `Delete bridge ${change.name}`, argv: ["ip", "link", "del", change.name] }],
        );
        step(`Bring ${change.name} up`, ["ip", "link", "set", change.name, "up"]);
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
        if (route) warnings.push(`Deleting ${change.name} removes the default route via ${route.via}.`);
        // Undo builds it again as it is now: options, up, addresses, the default route through it.
        step(
          `Delete bridge ${change.name}`,
          ["ip", "link", "del", change.name],
          [
            {
              description: `Create bridge ${change.name} again`,
              argv: [
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
              ],
            },
            { description: `Bring ${change.name} up`, argv: ["ip", "link", "set", change.name, "up"] },
            ...own.map((cidr) => ({
              description: `Give ${cidr} back to ${change.name}`,
              argv: ["ip", "addr", "add", cidr, "dev", change.name],
            })),
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
              `Remove ${cidr} from ${change.port}`,
              ["ip", "addr", "del", cidr, "dev", change.port],
              [
                {
                  description: `Give ${cidr} back to ${change.port}`,
                  argv: ["ip", "addr", "add", cidr, "dev", change.port],
                },
                ...(restoresRoute && route ? [routeVia(route.via, change.port)] : []),
              ],
            );
            step(
              `Add ${cidr} to ${change.bridge}`,
              ["ip", "addr", "add", cidr, "dev", change.bridge],
              [
                {
                  description: `Remove ${cidr} from ${change.bridge}`,
                  argv: ["ip", "addr", "del", cidr, "dev", change.bridge],
                },
              ],
            );
            addresses.set(change.bridge, [...(addresses.get(change.bridge) ?? []), cidr]);
          });
          addresses.set(change.port, []);
        } else if ((addresses.get(change.port) ?? []).length > 0) {
          warnings.push(
            `${change.port} keeps its addresses (${(addresses.get(change.port) ?? []).join(", ")}) as a port of ${change.bridge}; a bridge port's own addresses usually stop working. Choose "move its addresses to the bridge" to keep them reachable.`,
          );
        }
        step(
          `Make ${change.port} a port of ${change.bridge}`,
          ["ip", "link", "set", change.port, "master", change.bridge],
          [
            {
              description: `Take ${change.port} out of ${change.bridge}`,
              argv: ["ip", "link", "set", change.port, "nomaster"],
            },
          ],
        );
        masters.set(change.port, change.bridge);
        if (change.moveAddresses && route) {
          step(
            `Route the default route via ${route.via} through ${change.bridge}`,
            routeVia(route.via, change.bridge).argv,
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
          `Take ${change.port} out of ${change.bridge}`,
          ["ip", "link", "set", change.port, "nomaster"],
          [
            {
              description: `Make ${change.port} a port of ${change.bridge} again`,
              argv: ["ip", "link", "set", change.port, "master", change.bridge],
            },
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
          `Add ${change.cidr} to ${change.dev}`,
          ["ip", "addr", "add", change.cidr, "dev", change.dev],
          [
            {
              description: `Remove ${change.cidr} from ${change.dev}`,
              argv: ["ip", "addr", "del", change.cidr, "dev", change.dev],
            },
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
            `Removing ${change.cidr} from ${change.dev} also removes the default route via ${route.via}: the host loses its way out.`,
          );
        step(
          `Remove ${change.cidr} from ${change.dev}`,
          ["ip", "addr", "del", change.cidr, "dev", change.dev],
          [
            {
              description: `Give ${change.cidr} back to ${change.dev}`,
              argv: ["ip", "addr", "add", change.cidr, "dev", change.dev],
            },
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
          `Route the default route via ${change.via} through ${change.dev}`,
          routeVia(change.via, change.dev).argv,
          [
            before
              ? {
                  ...routeVia(before.via, before.dev),
                  description: `Route the default route via ${before.via} through ${before.dev} again`,
                }
              : { description: "Remove the default route", argv: ["ip", "route", "del", "default"] },
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
              `The MTU of ${change.dev} is ${previous} now, which Atelier cannot set: rolling back will not restore it.`,
            );
          step(
            `Set the MTU of ${change.dev} to ${change.mtu}`,
            ["ip", "link", "set", change.dev, "mtu", String(change.mtu)],
            isRestorable
              ? [
                  {
                    description: `Set the MTU of ${change.dev} back to ${previous}`,
                    argv: ["ip", "link", "set", change.dev, "mtu", String(previous)],
                  },
                ]
              : [],
          );
          mtus.set(change.dev, change.mtu);
        }
        if (change.up !== undefined)
          step(
            `Bring ${change.dev} ${change.up ? "up" : "down"}`,
            ["ip", "link", "set", change.dev, change.up ? "up" : "down"],
            [
              {
                description: `Bring ${change.dev} ${change.up ? "down" : "up"} again`,
                argv: ["ip", "link", "set", change.dev, change.up ? "down" : "up"],
              },
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
    warnings,
    claimed: [...claimed],
    released: [...released],
    bridgesAfter,
    digest: createHash("sha256")
      .update(JSON.stringify(steps.map((entry) => [entry.argv, entry.undo.map((command) => command.argv)])))
      .digest("hex"),
  };
};

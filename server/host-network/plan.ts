import { z } from "zod";
import { AppError } from "../errors";
import { isCidr, isIP } from "../lxc-config/validate";
import type { TBridge, TInterface, TRoute } from "./parse";

/**
 * Network changes as a plan: each change becomes the exact `ip` commands (argument arrays) that would apply it,
 * checked against the host's current state, with the commands that would undo it, in reverse order. Nothing here
 * runs anything: the plan is what the Network page shows before anything is applied.
 */
const ZName = z
  .string()
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/,
    "must be an interface name: 1-15 letters, digits, '_', '.', '-'",
  );
// The same address checks as config validation; a prefix is required here.
const ZCidr = z
  .string()
  .refine((value) => value.includes("/") && !value.includes(" ") && (isCidr(value, 4) || isCidr(value, 6)), {
    message: "must be an address with its prefix, such as 192.0.2.10/24",
  });
const ZIp = z.string().refine((value) => isIP(value) !== 0, { message: "must be an IP address" });

export const ZNetworkChange = z.discriminatedUnion("op", [
  z
    .object({
      op: z.literal("bridge.create"),
      name: ZName,
      stp: z.boolean().optional(),
      forwardDelay: z.number().int().min(2).max(30).optional(),
    })
    .strict(),
  z.object({ op: z.literal("bridge.delete"), name: ZName }).strict(),
  z
    .object({
      op: z.literal("bridge.addPort"),
      bridge: ZName,
      port: ZName,
      /** Move the port's addresses (and the default route through it) to the bridge, as when enslaving the host's NIC. */
      moveAddresses: z.boolean().default(false),
    })
    .strict(),
  z.object({ op: z.literal("bridge.removePort"), bridge: ZName, port: ZName }).strict(),
  z.object({ op: z.literal("address.add"), dev: ZName, cidr: ZCidr }).strict(),
  z.object({ op: z.literal("address.remove"), dev: ZName, cidr: ZCidr }).strict(),
  z.object({ op: z.literal("route.default"), via: ZIp, dev: ZName }).strict(),
  z
    .object({
      op: z.literal("link.set"),
      dev: ZName,
      up: z.boolean().optional(),
      mtu: z.number().int().min(68).max(65535).optional(),
    })
    .strict(),
]);
export type TNetworkChange = z.infer<typeof ZNetworkChange>;

export type TPlanStep = { description: string; argv: string[] };
export type TPlan = { steps: TPlanStep[]; undo: TPlanStep[]; touchesSession: boolean };
export type TNetworkState = { interfaces: TInterface[]; bridges: TBridge[]; routes: TRoute[] };

const refuse = (index: number, field: string, message: string, hint?: string): never => {
  throw new AppError("BAD_REQUEST", { message, field: `changes.${index}.${field}`, hint });
};

export const planChanges = (
  changes: TNetworkChange[],
  state: TNetworkState,
  sessionInterface: string | null,
): TPlan => {
  // Each change is checked against the state as the changes before it leave it.
  const names = new Set(state.interfaces.map((entry) => entry.name));
  const bridges = new Set(state.bridges.map((bridge) => bridge.name));
  const masters = new Map(state.interfaces.map((entry) => [entry.name, entry.master]));
  const addresses = new Map(
    state.interfaces.map((entry) => [entry.name, entry.addresses.map((a) => a.cidr)]),
  );
  const defaultRoute = state.routes.find((route) => route.isDefault && route.family === "inet");
  let defaultVia = defaultRoute ? { via: defaultRoute.gateway, dev: defaultRoute.dev } : null;
  const steps: TPlanStep[] = [];
  const undo: TPlanStep[] = [];
  const touched = new Set<string>();
  const step = (description: string, argv: string[], inverse?: TPlanStep) => {
    steps.push({ description, argv });
    if (inverse) undo.unshift(inverse);
  };
  const mustExist = (index: number, field: string, name: string) => {
    if (!names.has(name)) refuse(index, field, `There is no interface named ${name} on this host`);
  };

  changes.forEach((change, index) => {
    switch (change.op) {
      case "bridge.create": {
        if (names.has(change.name)) refuse(index, "name", `An interface named ${change.name} already exists`);
        const options = [
          ...(change.stp === undefined ? [] : ["stp_state", change.stp ? "1" : "0"]),
          // The kernel counts it in centiseconds.
          ...(change.forwardDelay === undefined ? [] : ["forward_delay", String(change.forwardDelay * 100)]),
        ];
        step(
          `Create bridge ${change.name}`,
          ["ip", "link", "add", "name", change.name, "type", "bridge", ...options],
          {
            description: `Delete bridge ${change.name}`,
            argv: ["ip", "link", "del", change.name],
          },
        );
        step(`Bring ${change.name} up`, ["ip", "link", "set", change.name, "up"]);
        names.add(change.name);
        bridges.add(change.name);
        addresses.set(change.name, []);
        break;
      }
      case "bridge.delete": {
        if (!bridges.has(change.name)) refuse(index, "name", `${change.name} is not a bridge on this host`);
        const ports = [...masters].filter(([, master]) => master === change.name).map(([name]) => name);
        if (ports.length > 0)
          refuse(
            index,
            "name",
            `Bridge ${change.name} still has ports: ${ports.join(", ")}`,
            "Remove its ports first.",
          );
        touched.add(change.name);
        step(`Delete bridge ${change.name}`, ["ip", "link", "del", change.name], {
          description: `Create bridge ${change.name} again`,
          argv: ["ip", "link", "add", "name", change.name, "type", "bridge"],
        });
        names.delete(change.name);
        bridges.delete(change.name);
        break;
      }
      case "bridge.addPort": {
        if (!bridges.has(change.bridge))
          refuse(index, "bridge", `${change.bridge} is not a bridge on this host`);
        mustExist(index, "port", change.port);
        if (bridges.has(change.port)) refuse(index, "port", `${change.port} is a bridge itself`);
        if (masters.get(change.port))
          refuse(index, "port", `${change.port} is already a port of ${masters.get(change.port)}`);
        touched.add(change.port);
        touched.add(change.bridge);
        if (change.moveAddresses) {
          for (const cidr of (addresses.get(change.port) ?? []).filter(
            (value) => !value.startsWith("fe80:"),
          )) {
            step(`Remove ${cidr} from ${change.port}`, ["ip", "addr", "del", cidr, "dev", change.port], {
              description: `Give ${cidr} back to ${change.port}`,
              argv: ["ip", "addr", "add", cidr, "dev", change.port],
            });
            step(`Add ${cidr} to ${change.bridge}`, ["ip", "addr", "add", cidr, "dev", change.bridge], {
              description: `Remove ${cidr} from ${change.bridge}`,
              argv: ["ip", "addr", "del", cidr, "dev", change.bridge],
            });
            addresses.set(change.bridge, [...(addresses.get(change.bridge) ?? []), cidr]);
          }
          addresses.set(change.port, []);
        }
        step(
          `Make ${change.port} a port of ${change.bridge}`,
          ["ip", "link", "set", change.port, "master", change.bridge],
          {
            description: `Take ${change.port} out of ${change.bridge}`,
            argv: ["ip", "link", "set", change.port, "nomaster"],
          },
        );
        masters.set(change.port, change.bridge);
        if (change.moveAddresses && defaultVia?.dev === change.port && defaultVia.via) {
          const via = defaultVia.via;
          step(
            `Route the default route via ${via} through ${change.bridge}`,
            ["ip", "route", "replace", "default", "via", via, "dev", change.bridge],
            {
              description: `Route the default route via ${via} through ${change.port} again`,
              argv: ["ip", "route", "replace", "default", "via", via, "dev", change.port],
            },
          );
          defaultVia = { via, dev: change.bridge };
        }
        break;
      }
      case "bridge.removePort": {
        if (masters.get(change.port) !== change.bridge)
          refuse(index, "port", `${change.port} is not a port of ${change.bridge}`);
        touched.add(change.port);
        step(`Take ${change.port} out of ${change.bridge}`, ["ip", "link", "set", change.port, "nomaster"], {
          description: `Make ${change.port} a port of ${change.bridge} again`,
          argv: ["ip", "link", "set", change.port, "master", change.bridge],
        });
        masters.set(change.port, null);
        break;
      }
      case "address.add": {
        mustExist(index, "dev", change.dev);
        if ((addresses.get(change.dev) ?? []).includes(change.cidr))
          refuse(index, "cidr", `${change.dev} already has ${change.cidr}`);
        touched.add(change.dev);
        step(`Add ${change.cidr} to ${change.dev}`, ["ip", "addr", "add", change.cidr, "dev", change.dev], {
          description: `Remove ${change.cidr} from ${change.dev}`,
          argv: ["ip", "addr", "del", change.cidr, "dev", change.dev],
        });
        addresses.set(change.dev, [...(addresses.get(change.dev) ?? []), change.cidr]);
        break;
      }
      case "address.remove": {
        mustExist(index, "dev", change.dev);
        if (!(addresses.get(change.dev) ?? []).includes(change.cidr))
          refuse(index, "cidr", `${change.dev} has no address ${change.cidr}`);
        touched.add(change.dev);
        step(
          `Remove ${change.cidr} from ${change.dev}`,
          ["ip", "addr", "del", change.cidr, "dev", change.dev],
          {
            description: `Give ${change.cidr} back to ${change.dev}`,
            argv: ["ip", "addr", "add", change.cidr, "dev", change.dev],
          },
        );
        addresses.set(
          change.dev,
          (addresses.get(change.dev) ?? []).filter((value) => value !== change.cidr),
        );
        break;
      }
      case "route.default": {
        mustExist(index, "dev", change.dev);
        touched.add(change.dev);
        if (defaultVia?.dev) touched.add(defaultVia.dev);
        const before = defaultVia;
        step(
          `Route the default route via ${change.via} through ${change.dev}`,
          ["ip", "route", "replace", "default", "via", change.via, "dev", change.dev],
          before?.via && before.dev
            ? {
                description: `Route the default route via ${before.via} through ${before.dev} again`,
                argv: ["ip", "route", "replace", "default", "via", before.via, "dev", before.dev],
              }
            : { description: "Remove the default route", argv: ["ip", "route", "del", "default"] },
        );
        defaultVia = { via: change.via, dev: change.dev };
        break;
      }
      case "link.set": {
        mustExist(index, "dev", change.dev);
        touched.add(change.dev);
        const current = state.interfaces.find((entry) => entry.name === change.dev);
        if (change.mtu !== undefined)
          step(
            `Set the MTU of ${change.dev} to ${change.mtu}`,
            ["ip", "link", "set", change.dev, "mtu", String(change.mtu)],
            current
              ? {
                  description: `Set the MTU of ${change.dev} back to ${current.mtu}`,
                  argv: ["ip", "link", "set", change.dev, "mtu", String(current.mtu)],
                }
              : undefined,
          );
        if (change.up !== undefined)
          step(
            `Bring ${change.dev} ${change.up ? "up" : "down"}`,
            ["ip", "link", "set", change.dev, change.up ? "up" : "down"],
            {
              description: `Bring ${change.dev} ${change.up ? "down" : "up"} again`,
              argv: ["ip", "link", "set", change.dev, change.up ? "down" : "up"],
            },
          );
        break;
      }
    }
  });
  return {
    steps,
    undo,
    // A change to the interface the browser came in on (its address, its bridge, the default route through it).
    touchesSession: sessionInterface !== null && touched.has(sessionInterface),
  };
};

import { z } from "zod";

/**
 * The host's network as the helper reads it from iproute2 (server/host-network/parse.ts makes it of `ip -j`'s
 * JSON): interfaces with their kind, state, addresses, bridge membership and counters; bridges with their ports;
 * routes. Pure: the helper's contract returns it (network.read), the web tier's plan and views read it.
 */
export const ZInterfaceKind = z.enum([
  "loopback",
  "bridge",
  "veth",
  "vlan",
  "macvlan",
  "bond",
  "dummy",
  "physical",
  "other",
]);
export type TInterfaceKind = z.infer<typeof ZInterfaceKind>;

export const ZAddress = z.object({ family: z.enum(["inet", "inet6"]), cidr: z.string(), scope: z.string() });
export type TAddress = z.infer<typeof ZAddress>;

export const ZInterface = z.object({
  name: z.string(),
  index: z.number().int(),
  kind: ZInterfaceKind,
  /** operstate: UP, DOWN, UNKNOWN (loopback, some virtual links), LOWERLAYERDOWN... */
  state: z.string(),
  isUp: z.boolean(),
  mac: z.string().nullable(),
  mtu: z.number().int(),
  /** The bridge this interface is a port of. */
  master: z.string().nullable(),
  addresses: z.array(ZAddress),
  rxBytes: z.number().nullable(),
  txBytes: z.number().nullable(),
  /** For a veth whose other end is in another network namespace (a container's). */
  peerInOtherNamespace: z.boolean(),
});
export type TInterface = z.infer<typeof ZInterface>;

export const ZBridge = z.object({
  name: z.string(),
  ports: z.array(z.string()),
  stp: z.boolean().nullable(),
  /** Seconds. */
  forwardDelay: z.number().nullable(),
});
export type TBridge = z.infer<typeof ZBridge>;

export const ZRoute = z.object({
  family: z.enum(["inet", "inet6"]),
  destination: z.string(),
  gateway: z.string().nullable(),
  dev: z.string().nullable(),
  isDefault: z.boolean(),
  source: z.string().nullable(),
});
export type TRoute = z.infer<typeof ZRoute>;

export const ZHostNetwork = z.object({
  interfaces: z.array(ZInterface),
  bridges: z.array(ZBridge),
  routes: z.array(ZRoute),
});
export type THostNetwork = z.infer<typeof ZHostNetwork>;

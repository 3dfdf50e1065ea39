import { z } from "zod";
import { isCidr, isIP } from "./lxc-config/validate";
import { ZInterfaceName } from "./network";
import { says } from "./issue-words";

/**
 * A change to the host's network, as the Network page asks for it and the helper's network.apply takes it: pure, so
 * that the form, the web tier's plan (server/host-network/plan.ts) and the helper's contract check the same rule.
 */
// The same address checks as config validation; a prefix is required here.
const ZCidr = z
  .string()
  .refine(
    (value) => value.includes("/") && !value.includes(" ") && (isCidr(value, 4) || isCidr(value, 6)),
    says("validation.network.cidr"),
  );
const ZIp = z.string().refine((value) => isIP(value) !== 0, says("validation.network.ip"));

/**
 * The MTUs a plan's command may set (server/helper/run/ip.ts checks each again): up to 65536, the loopback's own MTU,
 * so that an undo can give lo its MTU back. A change asked for stops at 65535, the most an Ethernet link takes.
 */
export const PLAN_MTU = { min: 68, max: 65536 } as const;

export const ZNetworkChange = z.discriminatedUnion("op", [
  z
    .object({
      op: z.literal("bridge.create"),
      name: ZInterfaceName,
      stp: z.boolean().optional(),
      forwardDelay: z.number().int().min(2).max(30).optional(),
    })
    .strict(),
  z.object({ op: z.literal("bridge.delete"), name: ZInterfaceName }).strict(),
  z
    .object({
      op: z.literal("bridge.addPort"),
      bridge: ZInterfaceName,
      port: ZInterfaceName,
      /** Move the port's addresses (and the default route through it) to the bridge, as when enslaving the host's NIC. */
      moveAddresses: z.boolean().default(false),
    })
    .strict(),
  z.object({ op: z.literal("bridge.removePort"), bridge: ZInterfaceName, port: ZInterfaceName }).strict(),
  z.object({ op: z.literal("address.add"), dev: ZInterfaceName, cidr: ZCidr }).strict(),
  z.object({ op: z.literal("address.remove"), dev: ZInterfaceName, cidr: ZCidr }).strict(),
  z.object({ op: z.literal("route.default"), via: ZIp, dev: ZInterfaceName }).strict(),
  z
    .object({
      op: z.literal("link.set"),
      dev: ZInterfaceName,
      up: z.boolean().optional(),
      mtu: z.number().int().min(PLAN_MTU.min).max(65535).optional(),
    })
    .strict(),
]);
export type TNetworkChange = z.infer<typeof ZNetworkChange>;

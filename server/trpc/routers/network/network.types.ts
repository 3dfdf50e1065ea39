import { z } from "zod";

/**
 * A server sentence's words beside its English (server/i18n/english.ts): its id in the catalogues and its values,
 * for the pages to word it in the reader's language. Optional everywhere: scripts read the English fields, and
 * records made before words were kept have none.
 */
export const ZWords = z.object({
  id: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type TWords = z.infer<typeof ZWords>;

const ZAddress = z.object({ family: z.enum(["inet", "inet6"]), cidr: z.string(), scope: z.string() });

export const ZNetworkListResponseSchema = z.object({
  interfaces: z.array(
    z.object({
      name: z.string(),
      index: z.number(),
      kind: z.enum(["loopback", "bridge", "veth", "vlan", "macvlan", "bond", "dummy", "physical", "other"]),
      state: z.string(),
      isUp: z.boolean(),
      mac: z.string().nullable(),
      mtu: z.number(),
      master: z.string().nullable(),
      addresses: z.array(ZAddress),
      rxBytes: z.number().nullable(),
      txBytes: z.number().nullable(),
      peerInOtherNamespace: z.boolean(),
      /** The container this veth belongs to. */
      container: z.string().nullable(),
    }),
  ),
  bridges: z.array(
    z.object({
      name: z.string(),
      ports: z.array(z.string()),
      stp: z.boolean().nullable(),
      forwardDelay: z.number().nullable(),
      containers: z.array(z.string()),
    }),
  ),
  routes: z.array(
    z.object({
      family: z.enum(["inet", "inet6"]),
      destination: z.string(),
      gateway: z.string().nullable(),
      dev: z.string().nullable(),
      isDefault: z.boolean(),
      source: z.string().nullable(),
    }),
  ),
  session: z.object({
    serverAddress: z.string().nullable(),
    interface: z.string().nullable(),
    isOnDefaultRoute: z.boolean(),
  }),
});
export type TNetworkListResponse = z.infer<typeof ZNetworkListResponseSchema>;

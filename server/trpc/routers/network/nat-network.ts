import { z } from "zod";
import { ZNatConfig } from "../../../schemas/nat";
import { adminProcedure, router, viewerProcedure } from "../../procedures";

const ZNatStatus = z.object({
  config: z.object({ bridge: z.string(), address: z.string(), dhcpStart: z.string(), dhcpEnd: z.string() }),
  enabled: z.boolean(),
  running: z.boolean(),
  parts: z.object({ bridge: z.boolean(), dnsmasq: z.number().nullable(), masquerade: z.boolean() }),
  ports: z.array(z.string()),
  leases: z.array(
    z.object({ expires: z.date(), mac: z.string(), address: z.string(), hostname: z.string().nullable() }),
  ),
});

/** The NAT network (what lxc-net does): its settings, whether it runs (bridge, dnsmasq, masquerade), its leases. */
export const natRouter = router({
  get: viewerProcedure.output(ZNatStatus).query(({ ctx }) => ctx.runtime.nat.status()),
  /** Bridge name, address/prefix and DHCP range; only while it is stopped. */
  configure: adminProcedure
    .input(ZNatConfig)
    .output(ZNatStatus)
    .mutation(({ ctx, input }) => ctx.runtime.nat.configure(input, ctx.principal.username)),
  /** The helper starts and stops it only on the admin's ticket (a sign-in within 12 h). */
  start: adminProcedure
    .output(ZNatStatus)
    .mutation(({ ctx }) => ctx.runtime.nat.start(ctx.principal.username, ctx.principal.adminTicket)),
  /** Refused while containers are attached to its bridge. */
  stop: adminProcedure
    .output(ZNatStatus)
    .mutation(({ ctx }) => ctx.runtime.nat.stop(ctx.principal.username, ctx.principal.adminTicket)),
});

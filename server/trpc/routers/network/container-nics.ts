import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import { ZAttachNic, ZDetachNic } from "../../../host-network/nics";
import { operatorProcedure, viewerProcedure } from "../../procedures";

const ZNic = z.object({
  index: z.number(),
  type: z.string().nullable(),
  link: z.string().nullable(),
  name: z.string().nullable(),
  hwaddr: z.string().nullable(),
  ipv4: z.array(z.string()),
  gateway: z.string().nullable(),
});

/** A container's network interfaces, from its config. */
export const listNicsRoute = viewerProcedure
  .input(z.object({ name: ZContainerName }).strict())
  .output(z.object({ version: z.string(), nics: z.array(ZNic) }))
  .query(({ ctx, input }) => ctx.runtime.nics.list(input.name));

const ZWriteResult = z.object({ version: z.string(), diff: z.string() });

/**
 * Attach a container to a bridge (veth) or a host NIC (macvlan), static or DHCP: written through the config's
 * validated write path; it takes effect at the container's next start.
 */
export const attachNicRoute = operatorProcedure
  .input(ZAttachNic)
  .output(ZWriteResult.extend({ index: z.number(), hwaddr: z.string() }))
  .mutation(({ ctx, input }) => ctx.runtime.nics.attach(input, ctx.principal));

/** Remove a container's interface lxc.net.N. */
export const detachNicRoute = operatorProcedure
  .input(ZDetachNic)
  .output(ZWriteResult)
  .mutation(({ ctx, input }) => ctx.runtime.nics.detach(input, ctx.principal));

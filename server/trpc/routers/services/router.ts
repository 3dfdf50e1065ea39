import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import {
  ZServiceActResult,
  ZServiceList,
  ZServiceName,
  type TServiceAction,
} from "../../../schemas/services";
import { operatorProcedure, router, viewerProcedure } from "../../procedures";

const ZServiceInput = z.object({ name: ZContainerName, service: ZServiceName }).strict();

/**
 * One action on a service, by the helper with the guest's own tool (services.act). Audited as `services.<action>`
 * with the container and the service; a privileged container's need an admin (the helper judges the ticket).
 */
const actRoute = (action: TServiceAction) =>
  operatorProcedure
    .input(ZServiceInput)
    .output(ZServiceActResult)
    .mutation(({ ctx, input }) => {
      const ticket = ctx.principal.adminTicket;
      return ctx.runtime.helper.services.act({ ...input, action, ...(ticket ? { ticket } : {}) });
    });

/**
 * The services inside a running container (docs/api.md, "Services"): its service manager (systemd, OpenRC,
 * sysvinit, busybox init) detected from what it runs, asked inside it. Viewers list; operators and admins act.
 */
export const servicesRouter = router({
  list: viewerProcedure
    .input(z.object({ name: ZContainerName }).strict())
    .output(ZServiceList)
    .query(({ ctx, input }) => ctx.runtime.helper.services.list(input)),
  start: actRoute("start"),
  stop: actRoute("stop"),
  restart: actRoute("restart"),
  enable: actRoute("enable"),
  disable: actRoute("disable"),
});

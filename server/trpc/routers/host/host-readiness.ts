import { readHostReadiness } from "../../../host/readiness";
import { viewerProcedure } from "../../procedures";
import { ZHostReadinessResponseSchema } from "./host.types";

/** Whether this host can run containers: every check, with what a problem breaks and its fix. */
export const hostReadinessRoute = viewerProcedure
  .output(ZHostReadinessResponseSchema)
  .query(({ ctx }) => readHostReadiness(ctx.runtime));

import { isAtLeast } from "../../../auth/roles";
import { readHostReadiness, type THostCheck } from "../../../host/readiness";
import { viewerProcedure } from "../../procedures";
import { ZHostReadinessResponseSchema } from "./host.types";

/**
 * Whether this host can run containers: every check, with what a problem breaks and its fix. Another user's range
 * in /etc/subuid (its owner's name and ids) is the operators' to read, as on a container's Overview: a viewer is
 * told that a line overlaps, not whose.
 */
export const hostReadinessRoute = viewerProcedure
  .output(ZHostReadinessResponseSchema)
  .query(async ({ ctx }) => {
    const report = await readHostReadiness(ctx.runtime);
    if (isAtLeast(ctx.principal.role, "operator")) return report;
    const checks: THostCheck[] = report.checks;
    return {
      ...report,
      checks: checks.map((check): THostCheck =>
        check.id === "subids" ? { ...check, params: { ...check.params, conflict: "…", problem: "" } } : check,
      ),
    };
  });

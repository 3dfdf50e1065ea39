import { router } from "../../procedures";
import { hostFixRoute } from "./host-fix";
import { hostReadinessRoute } from "./host-readiness";

export const hostRouter = router({ readiness: hostReadinessRoute, fix: hostFixRoute });

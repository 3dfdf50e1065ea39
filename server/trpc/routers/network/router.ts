import { router } from "../../procedures";
import {
  applyNetworkRoute,
  confirmNetworkRoute,
  getApplyRoute,
  listAppliesRoute,
  persistedNetworkRoute,
  rollbackNetworkRoute,
} from "./apply-network";
import { listNetworkRoute } from "./list-network";
import { networkReadinessRoute } from "./network-readiness";
import { planNetworkRoute } from "./plan-network";

export const networkRouter = router({
  list: listNetworkRoute,
  readiness: networkReadinessRoute,
  plan: planNetworkRoute,
  // "apply" is a reserved word in tRPC routers (Function.prototype.apply).
  applyPlan: applyNetworkRoute,
  confirm: confirmNetworkRoute,
  rollback: rollbackNetworkRoute,
  applies: listAppliesRoute,
  change: getApplyRoute,
  persisted: persistedNetworkRoute,
});

import { router } from "../../procedures";
import {
  applyNetworkRoute,
  confirmNetworkRoute,
  getApplyRoute,
  listAppliesRoute,
  persistedNetworkRoute,
  rollbackNetworkRoute,
} from "./apply-network";
import { attachNicRoute, detachNicRoute, listNicsRoute } from "./container-nics";
import { listNetworkRoute } from "./list-network";
import { natRouter } from "./nat-network";
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
  nat: natRouter,
  nics: listNicsRoute,
  attach: attachNicRoute,
  detach: detachNicRoute,
});

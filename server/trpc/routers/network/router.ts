import { router } from "../../procedures";
import { listNetworkRoute } from "./list-network";
import { networkReadinessRoute } from "./network-readiness";
import { planNetworkRoute } from "./plan-network";

export const networkRouter = router({
  list: listNetworkRoute,
  readiness: networkReadinessRoute,
  plan: planNetworkRoute,
});

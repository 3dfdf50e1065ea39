import { router } from "../../procedures";
import { listNetworkRoute } from "./list-network";
import { networkReadinessRoute } from "./network-readiness";

export const networkRouter = router({ list: listNetworkRoute, readiness: networkReadinessRoute });

import { router } from "../../procedures";
import { currentMetricsRoute } from "./current-metrics";
import { metricsHistoryRoute } from "./metrics-history";

export const metricsRouter = router({ current: currentMetricsRoute, history: metricsHistoryRoute });

import { router } from "../../procedures";
import { currentMetricsRoute } from "./current-metrics";
import { hostHistoryRoute } from "./host-history";
import { metricsHistoryRoute } from "./metrics-history";

export const metricsRouter = router({
  current: currentMetricsRoute,
  history: metricsHistoryRoute,
  hostHistory: hostHistoryRoute,
});

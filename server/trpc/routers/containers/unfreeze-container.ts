import { lifecycleRoute } from "./lifecycle-route";

export const unfreezeContainerRoute = lifecycleRoute("unfreeze");

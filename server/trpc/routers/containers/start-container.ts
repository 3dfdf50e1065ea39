import { lifecycleRoute } from "./lifecycle-route";

export const startContainerRoute = lifecycleRoute("start");

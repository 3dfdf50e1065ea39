import { lifecycleRoute } from "./lifecycle-route";

export const freezeContainerRoute = lifecycleRoute("freeze");

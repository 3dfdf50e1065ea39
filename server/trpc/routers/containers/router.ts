import { router } from "../../procedures";
import { createContainerRoute } from "./create-container";
import { destroyContainerRoute } from "./destroy-container";
import { freezeContainerRoute } from "./freeze-container";
import { getContainerRoute } from "./get-container";
import { listContainersRoute } from "./list-containers";
import { restartContainerRoute } from "./restart-container";
import { startContainerRoute } from "./start-container";
import { stopContainerRoute } from "./stop-container";
import { unfreezeContainerRoute } from "./unfreeze-container";
import { convertRoute, hostIsolationRoute, isolationRoute } from "./isolation";
import { execRoute } from "./exec";
import { bindsRoute, chownBindSourceRoute, passThroughIdRoute } from "./binds";

export const containersRouter = router({
  list: listContainersRoute,
  get: getContainerRoute,
  create: createContainerRoute,
  start: startContainerRoute,
  stop: stopContainerRoute,
  restart: restartContainerRoute,
  freeze: freezeContainerRoute,
  unfreeze: unfreezeContainerRoute,
  destroy: destroyContainerRoute,
  isolation: isolationRoute,
  convert: convertRoute,
  hostIsolation: hostIsolationRoute,
  binds: bindsRoute,
  exec: execRoute,
  chownBindSource: chownBindSourceRoute,
  passThroughId: passThroughIdRoute,
});

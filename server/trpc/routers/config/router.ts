import { router } from "../../procedures";
import { browseHostRoute } from "./browse-host";
import { configHistoryRoute, configVersionRoute } from "./config-history";
import { getConfigRoute } from "./get-config";
import { importAsNewRoute } from "./import-config";
import { restoreConfigRoute } from "./restore-config";
import { saveConfigRoute } from "./save-config";
import { validateConfigRoute } from "./validate-config";

export const configRouter = router({
  get: getConfigRoute,
  validate: validateConfigRoute,
  save: saveConfigRoute,
  history: configHistoryRoute,
  version: configVersionRoute,
  restore: restoreConfigRoute,
  browseHost: browseHostRoute,
  importAsNew: importAsNewRoute,
});

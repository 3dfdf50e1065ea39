import { router } from "../../procedures";
import { changePackagesRoute, upgradePackagesRoute } from "./change-packages";
import { listPackagesRoute } from "./list-packages";
import { searchPackagesRoute } from "./search-packages";

/** Packages inside containers: read by viewers, changed (as jobs) by operators; a privileged container's by admins. */
export const packagesRouter = router({
  list: listPackagesRoute,
  search: searchPackagesRoute,
  install: changePackagesRoute("install"),
  remove: changePackagesRoute("remove"),
  upgrade: upgradePackagesRoute,
});

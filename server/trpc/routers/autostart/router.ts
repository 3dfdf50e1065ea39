import { router } from "../../procedures";
import { autostartBoardRoute } from "./board";
import { autostartReorderRoute } from "./reorder-autostart";
import { autostartRunRoute } from "./run-autostart";
import { autostartSetRoute } from "./set-autostart";
import { autostartSetDependencyRoute } from "./set-dependency";

export const autostartRouter = router({
  board: autostartBoardRoute,
  set: autostartSetRoute,
  reorder: autostartReorderRoute,
  setDependency: autostartSetDependencyRoute,
  run: autostartRunRoute,
});

import { router } from "../procedures";
import { containersRouter } from "./containers/router";

export const appRouter = router({
  containers: containersRouter,
});

export type AppRouter = typeof appRouter;

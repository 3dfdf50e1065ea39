import { router } from "../../procedures";
import { listEventsRoute } from "./list-events";

export const eventsRouter = router({ list: listEventsRoute });

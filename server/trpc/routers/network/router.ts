import { router } from "../../procedures";
import { listNetworkRoute } from "./list-network";

export const networkRouter = router({ list: listNetworkRoute });

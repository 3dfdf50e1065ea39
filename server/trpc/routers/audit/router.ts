import { router } from "../../procedures";
import { listAuditRoute } from "./list-audit";

export const auditRouter = router({ list: listAuditRoute });

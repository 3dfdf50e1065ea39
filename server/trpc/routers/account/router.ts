import { router } from "../../procedures";
import { changePasswordRoute } from "./change-password";
import { listSessionsRoute } from "./list-sessions";
import { revokeSessionRoute } from "./revoke-session";
import { setLocaleRoute } from "./set-locale";

export const accountRouter = router({
  changePassword: changePasswordRoute,
  sessions: listSessionsRoute,
  revokeSession: revokeSessionRoute,
  setLocale: setLocaleRoute,
});

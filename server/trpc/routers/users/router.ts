import { router } from "../../procedures";
import { createUserRoute } from "./create-user";
import { listUsersRoute } from "./list-users";
import { resetPasswordRoute } from "./reset-password";
import { setDisabledRoute } from "./set-disabled";
import { setRoleRoute } from "./set-role";

export const usersRouter = router({
  list: listUsersRoute,
  create: createUserRoute,
  setRole: setRoleRoute,
  setDisabled: setDisabledRoute,
  resetPassword: resetPasswordRoute,
});

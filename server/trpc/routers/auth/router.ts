import { router } from "../../procedures";
import { setupRoute } from "./setup";
import { signInRoute } from "./sign-in";
import { signOutRoute } from "./sign-out";
import { authStatusRoute } from "./status";

export const authRouter = router({
  status: authStatusRoute,
  signIn: signInRoute,
  signOut: signOutRoute,
  setup: setupRoute,
});

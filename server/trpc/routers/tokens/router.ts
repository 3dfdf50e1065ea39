import { router } from "../../procedures";
import { createTokenRoute } from "./create-token";
import { listTokensRoute } from "./list-tokens";
import { revokeTokenRoute } from "./revoke-token";

export const tokensRouter = router({
  list: listTokensRoute,
  create: createTokenRoute,
  revoke: revokeTokenRoute,
});

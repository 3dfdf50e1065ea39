import { viewerProcedure } from "../../procedures";
import { ZGuestAccountsRequestSchema, ZGuestAccountsResponseSchema } from "./files.types";

/** The container's own users and groups (its /etc/passwd and /etc/group), for owners and chown. */
export const guestAccountsRoute = viewerProcedure
  .input(ZGuestAccountsRequestSchema)
  .output(ZGuestAccountsResponseSchema)
  .query(({ ctx, input }) => ctx.runtime.helper.files.accounts(input));

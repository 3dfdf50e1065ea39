import { viewerProcedure } from "../../procedures";
import { ZNetworkListResponseSchema } from "./network.types";

/** The host's interfaces, bridges (with the containers on them), routes, and which interface carries this session. */
export const listNetworkRoute = viewerProcedure
  .output(ZNetworkListResponseSchema)
  .query(({ ctx }) => ctx.runtime.network.list({ serverAddress: ctx.serverAddress }));

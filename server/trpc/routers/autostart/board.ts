import { viewerProcedure } from "../../procedures";
import { ZAutostartBoardResponseSchema } from "./autostart.types";

/** The containers that start with the host, their settings and dependencies, and the boot order. */
export const autostartBoardRoute = viewerProcedure
  .output(ZAutostartBoardResponseSchema)
  .query(({ ctx }) => ctx.runtime.autostart.board());

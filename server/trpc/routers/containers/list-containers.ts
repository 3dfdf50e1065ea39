import { viewerProcedure } from "../../procedures";
import { ZListContainersResponseSchema } from "./list-containers.types";

export const listContainersRoute = viewerProcedure
  .output(ZListContainersResponseSchema)
  .query(({ ctx }) => ctx.runtime.containers.list());

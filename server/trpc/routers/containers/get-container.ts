import { viewerProcedure } from "../../procedures";
import { ZGetContainerRequestSchema, ZGetContainerResponseSchema } from "./get-container.types";

export const getContainerRoute = viewerProcedure
  .input(ZGetContainerRequestSchema)
  .output(ZGetContainerResponseSchema)
  .query(({ ctx, input }) => ctx.runtime.containers.get(input.name));

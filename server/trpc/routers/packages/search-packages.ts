import { viewerProcedure } from "../../procedures";
import { ZPackagesSearchRequest, ZPackagesSearchResponse } from "./packages.types";

/** The container's configured repositories searched (at most 200 results, each marked installed or not). */
export const searchPackagesRoute = viewerProcedure
  .input(ZPackagesSearchRequest)
  .output(ZPackagesSearchResponse)
  .query(({ ctx, input }) => ctx.runtime.packages.search(input.name, input.query));

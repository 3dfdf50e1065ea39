import { viewerProcedure } from "../../procedures";
import { ZPackagesListRequest, ZPackagesListResponse } from "./packages.types";

/** The packages installed in a running container (dpkg or apk, asked inside it). */
export const listPackagesRoute = viewerProcedure
  .input(ZPackagesListRequest)
  .output(ZPackagesListResponse)
  .query(({ ctx, input }) => ctx.runtime.packages.list(input.name));

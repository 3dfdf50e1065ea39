import { z } from "zod";
import { checkReadiness } from "../../../host-network/readiness";
import { viewerProcedure } from "../../procedures";
import { ZWords } from "./network.types";

export const ZReadinessResponseSchema = z.array(
  z.object({
    id: z.enum(["network-manager", "udev-persistent-net", "systemd-networkd"]),
    status: z.enum(["ok", "warning"]),
    title: z.string(),
    detail: z.string(),
    detailWords: ZWords.optional(),
    fix: z.string().nullable(),
    fixWords: ZWords.nullable().optional(),
  }),
);

/** Whether NetworkManager, udev or systemd-networkd would interfere with containers' veths, and the fix. */
export const networkReadinessRoute = viewerProcedure
  .output(ZReadinessResponseSchema)
  .query(() => checkReadiness());

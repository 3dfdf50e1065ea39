import { z } from "zod";
import { ZHostReadiness, ZReadinessCheck, ZSafeFixId } from "../../../helper/contract/host";
import { ZWords } from "../network/network.types";

/**
 * The Host page's readiness section: the helper's checks (server/helper/contract/host.ts) and the network managers'
 * (server/host-network/readiness.ts) in one list. A network manager's check carries its sentences' words (what it
 * saw, its fix), worded on the page like the Network page's.
 */
export const ZHostCheck = ZReadinessCheck.extend({
  words: z.object({ detail: ZWords.nullable(), fix: ZWords.nullable() }).nullable(),
});
export type THostCheck = z.infer<typeof ZHostCheck>;

export const ZHostReadinessResponseSchema = ZHostReadiness.extend({ checks: z.array(ZHostCheck).max(600) });
export type THostReadinessResponse = z.infer<typeof ZHostReadinessResponseSchema>;

export const ZHostFixRequestSchema = z.object({ id: ZSafeFixId }).strict();
export const ZHostFixResponseSchema = z.object({ id: ZSafeFixId, changed: z.array(z.string()) });

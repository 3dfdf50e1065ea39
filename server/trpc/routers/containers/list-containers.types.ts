import { z } from "zod";
import { ZContainerSummary } from "./schemas";

export const ZListContainersResponseSchema = z.array(ZContainerSummary);
export type TListContainersResponse = z.infer<typeof ZListContainersResponseSchema>;

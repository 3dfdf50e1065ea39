import { z } from "zod";
import { ZContainerNameInput } from "./schemas";

/** Start, freeze and unfreeze take only the name. */
export const ZLifecycleRequestSchema = ZContainerNameInput;

/** Every lifecycle mutation answers with nothing: the caller re-reads the container. */
export const ZLifecycleResponseSchema = z.void();

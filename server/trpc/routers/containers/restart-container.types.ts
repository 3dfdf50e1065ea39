import { ZStopContainerRequestSchema } from "./stop-container.types";

export const ZRestartContainerRequestSchema = ZStopContainerRequestSchema.omit({ force: true });

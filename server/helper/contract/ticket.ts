import { z } from "zod";

/**
 * An admin's ticket as a call presents it (TICKET~SECRET: server/helper/admins.ts judges it). `ZTicket` where the
 * input is nothing without one (enrolling an admin); `ZOptionalTicket` where the helper itself decides: a call
 * without one is then refused FORBIDDEN, saying why, or runs when its input needs none (`ticket: "when"`).
 */
export const ZTicket = z.string().min(1).max(4096);
export const ZOptionalTicket = z.string().max(4096).optional();

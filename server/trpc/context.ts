import type { IncomingMessage, ServerResponse } from "node:http";
import type { TPrincipal } from "../auth/principal.types";
import { principalOf } from "../auth/principal";
import type { TLogger } from "../log";
import type { TRuntime } from "../runtime";

/**
 * What every procedure receives. The principal (and so the audit actor) comes from the request's credentials,
 * never from input.
 */
export type TContext = {
  runtime: TRuntime;
  log: TLogger;
  principal: TPrincipal | null;
  clientAddress: string | null;
  /** This server's address the request arrived on (which host interface carries the session). */
  serverAddress: string | null;
  userAgent: string | null;
  /** Adds a Set-Cookie header to the response. */
  setCookie: (cookie: string) => void;
  /** Sign-in procedures name their actor here (there is no principal before they run). */
  audit: { actor?: string; via?: string };
  /** Aborted when the client goes away before its answer is sent (a command it ran is then stopped). */
  signal?: AbortSignal;
};

export type TCreateContextOptions = { runtime: TRuntime; req: IncomingMessage; res: ServerResponse };

const goneSignal = (res: ServerResponse) => {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
};

export const createContext = async ({ runtime, req, res }: TCreateContextOptions): Promise<TContext> => ({
  runtime,
  signal: goneSignal(res),
  log: runtime.log,
  principal: await principalOf(runtime.accounts, req),
  clientAddress: req.socket.remoteAddress ?? null,
  serverAddress: req.socket.localAddress ?? null,
  userAgent: req.headers["user-agent"] ?? null,
  setCookie: (cookie) => {
    const existing = res.getHeader("Set-Cookie");
    res.setHeader("Set-Cookie", [
      ...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []),
      cookie,
    ]);
  },
  audit: {},
});

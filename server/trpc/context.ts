import type { TLogger } from "../log";
import type { TRuntime } from "../runtime";

/**
 * What every procedure receives. The actor comes from the request's credentials, never from input; until
 * accounts exist the panel listens on loopback only and every request acts as "local".
 */
export type TContext = {
  runtime: TRuntime;
  log: TLogger;
  actor: string;
  clientAddress: string | null;
};

export type TCreateContextOptions = { runtime: TRuntime; clientAddress: string | null };

export const createContext = ({ runtime, clientAddress }: TCreateContextOptions): TContext => ({
  runtime,
  log: runtime.log,
  actor: "local",
  clientAddress,
});

import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../errors";
import { newSecret, safeEqual } from "./secrets";

/**
 * First run: while no user exists, only the holder of this token (printed once to the server's log) can create the
 * first admin, so nobody else on the LAN can claim the panel. It ends when used or after an hour; a restart with
 * still no user prints a new one.
 */
export class SetupToken {
  private value: string | null;
  private readonly expiresAt: number;

  constructor(lifetimeMs = 60 * 60_000, now: () => number = Date.now) {
    this.value = newSecret("setup");
    this.expiresAt = now() + lifetimeMs;
    this.now = now;
  }

  private readonly now: () => number;

  get token() {
    return this.value;
  }

  /** Throws unless `candidate` is the live token; the token is used up by a successful check. */
  consume(candidate: string) {
    const value = this.value;
    if (!value || this.now() > this.expiresAt || !safeEqual(candidate, value)) {
      throw new AppError("FORBIDDEN", said("setupLinkInvalid"));
    }
    this.value = null;
  }
}

/**
 * The setup token is also kept in a file only root and the web user can read (`setup-token` in web/, 0600), for a
 * host whose log is not at hand; it is removed once the first admin exists.
 */
export const setupTokenFile = (dataDir: string) => path.join(dataDir, "setup-token");

export const writeSetupTokenFile = async (dataDir: string, token: string) => {
  const file = setupTokenFile(dataDir);
  await rm(file, { force: true });
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: "wx" });
};

export const removeSetupTokenFile = (dataDir: string) => rm(setupTokenFile(dataDir), { force: true });

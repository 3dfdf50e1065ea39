/**
 * Counts failures per key (an account, a client address) in a sliding window; in memory, so a restart forgets.
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before the next attempt, or 0 when one is allowed now. */
  retryAfterSeconds(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.limit) return 0;
    const oldest = recent[recent.length - this.limit] ?? this.now();
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  fail(key: string) {
    this.hits.set(key, [...this.recent(key), this.now()]);
  }

  reset(key: string) {
    this.hits.delete(key);
  }

  /** Takes back the latest failure (an attempt counted when it started turned out fine). */
  undo(key: string) {
    const recent = this.recent(key);
    recent.pop();
    if (recent.length === 0) this.hits.delete(key);
  }

  private recent(key: string) {
    const since = this.now() - this.windowMs;
    const recent = (this.hits.get(key) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.hits.delete(key);
    else this.hits.set(key, recent);
    return recent;
  }
}

/**
 * Sign-in throttling that a stranger cannot turn against the account's owner:
 *
 * - each attempt is counted when it starts, before the password is checked (synchronously, so concurrent guesses
 *   see each other), and uncounted only when it succeeds;
 * - per account *and* client address: from the 3rd failure on, the next attempt waits 1 s, then 2, 4, … up to
 *   15 minutes after the last failure; the right password from another address is not slowed at all;
 * - per client address, whatever the account: at most `perAddress` failures in 15 minutes.
 *
 * In memory: a restart forgets (and so does 15 minutes without a failure).
 */
export class SignInThrottle {
  private readonly pairs = new Map<string, { failures: number; lastAt: number }>();
  private readonly addresses: RateLimiter;

  constructor(
    private readonly options: { freeFailures?: number; maxDelayMs?: number; perAddress?: number } = {},
    private readonly now: () => number = Date.now,
  ) {
    this.addresses = new RateLimiter(options.perAddress ?? 20, 15 * 60_000, now);
  }

  private pairKey = (account: string, address: string) => `${account}\u0000${address}`;

  /** Seconds to wait before this account may be tried from this address, or 0. */
  retryAfterSeconds(account: string, address: string): number {
    const pair = this.pairs.get(this.pairKey(account, address));
    const maxDelay = this.options.maxDelayMs ?? 15 * 60_000;
    let pairWait = 0;
    if (pair && this.now() - pair.lastAt > maxDelay) this.pairs.delete(this.pairKey(account, address));
    else if (pair) {
      const over = pair.failures - (this.options.freeFailures ?? 2);
      if (over > 0) {
        const delay = Math.min(maxDelay, 1000 * 2 ** (over - 1));
        pairWait = Math.max(0, pair.lastAt + delay - this.now());
      }
    }
    const seconds = Math.max(Math.ceil(pairWait / 1000), this.addresses.retryAfterSeconds(address));
    return seconds;
  }

  /** An attempt starts: it counts as a failure until `succeeded` says otherwise. */
  begin(account: string, address: string) {
    const key = this.pairKey(account, address);
    const pair = this.pairs.get(key) ?? { failures: 0, lastAt: 0 };
    this.pairs.set(key, { failures: pair.failures + 1, lastAt: this.now() });
    this.addresses.fail(address);
  }

  succeeded(account: string, address: string) {
    this.pairs.delete(this.pairKey(account, address));
    this.addresses.undo(address);
  }
}

import { describe, expect, it } from "vitest";
import { RateLimiter, SignInThrottle } from "./rate-limit";

describe("RateLimiter", () => {
  it("allows up to the limit within the window, then says how long to wait", () => {
    let now = 0;
    const limiter = new RateLimiter(3, 60_000, () => now);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(limiter.retryAfterSeconds("alice")).toBe(0);
      limiter.fail("alice");
    }
    expect(limiter.retryAfterSeconds("alice")).toBe(60);
    now = 45_000;
    expect(limiter.retryAfterSeconds("alice")).toBe(15);
    expect(limiter.retryAfterSeconds("bob")).toBe(0);
    now = 60_001;
    expect(limiter.retryAfterSeconds("alice")).toBe(0);
  });

  it("forgets a key on reset (a successful sign-in)", () => {
    const limiter = new RateLimiter(1, 60_000, () => 0);
    limiter.fail("alice");
    expect(limiter.retryAfterSeconds("alice")).toBeGreaterThan(0);
    limiter.reset("alice");
    expect(limiter.retryAfterSeconds("alice")).toBe(0);
  });
});

/**
 * The sign-in throttle on a clock the test moves (the `now` the class takes; accounts.ts builds it with Date.now and
 * the defaults tested here). Its rules, read from the code: per account and address, two failures are free, then
 * the next attempt waits 1 s after the last failure, 2 s, 4 s, … doubling, at most 15 minutes; a pair with no
 * failure for 15 minutes starts again from nothing; per address, whatever the account, at most 20 failures in a
 * sliding window of 15 minutes. An attempt counts when it begins, and a success takes it back.
 */
describe("SignInThrottle", () => {
  const MINUTE = 60_000;
  const clock = (start = 1_000_000) => {
    const state = { now: start };
    return { state, now: () => state.now };
  };

  /** One failed attempt, made the moment it is allowed; says how long the next one must wait. */
  const failNow = (throttle: SignInThrottle, account: string, address: string) => {
    expect(throttle.retryAfterSeconds(account, address)).toBe(0);
    throttle.begin(account, address);
    return throttle.retryAfterSeconds(account, address);
  };

  it("lets two failures pass, then makes each next attempt wait 1, 2, 4 s … after the last, capped at 15 minutes", () => {
    const { state, now } = clock();
    const throttle = new SignInThrottle({}, now);
    const waits: number[] = [];
    for (let attempt = 0; attempt < 14; attempt += 1) {
      const wait = failNow(throttle, "alice", "10.0.0.1");
      waits.push(wait);
      // Waiting one millisecond less than said is not enough; waiting what was said is.
      if (wait > 0) {
        state.now += wait * 1000 - 1;
        expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(1);
        state.now += 1;
      }
    }
    // 14 failures in about 80 minutes: the per-address limit (20 in 15 minutes) never weighs in here.
    expect(waits).toEqual([0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
  });

  it("counts the wait from the last failure, in whole seconds rounded up", () => {
    const { state, now } = clock();
    const throttle = new SignInThrottle({}, now);
    for (let attempt = 0; attempt < 4; attempt += 1) {
      throttle.begin("alice", "10.0.0.1");
      state.now += 100;
    }
    // Four failures 100 ms apart: 2 s after the last one, which was 100 ms ago.
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(2);
    state.now += 900;
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(1);
    state.now += 999;
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(1);
    state.now += 1;
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(0);
  });

  it("forgets a pair 15 minutes after its last failure, and starts again from two free failures", () => {
    const { state, now } = clock();
    const throttle = new SignInThrottle({}, now);
    for (let attempt = 0; attempt < 13; attempt += 1) throttle.begin("alice", "10.0.0.1");
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(900);
    state.now += 15 * MINUTE;
    // Exactly 15 minutes: the cap has run out, the pair is still remembered.
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(0);
    throttle.begin("alice", "10.0.0.1");
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(900);
    state.now += 15 * MINUTE + 1;
    // More than 15 minutes: forgotten, so the next two failures are free again.
    expect(failNow(throttle, "alice", "10.0.0.1")).toBe(0);
    expect(failNow(throttle, "alice", "10.0.0.1")).toBe(0);
    expect(failNow(throttle, "alice", "10.0.0.1")).toBe(1);
  });

  it("slows only the account and address that failed; a success clears the pair", () => {
    const { now } = clock();
    const throttle = new SignInThrottle({}, now);
    for (let attempt = 0; attempt < 5; attempt += 1) throttle.begin("alice", "10.0.0.1");
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(4);
    // The owner from another address, and another account from the attacker's address, are not slowed.
    expect(throttle.retryAfterSeconds("alice", "10.0.0.2")).toBe(0);
    expect(throttle.retryAfterSeconds("bob", "10.0.0.1")).toBe(0);
    // An attempt counts when it begins (before its password is checked)...
    throttle.begin("alice", "10.0.0.2");
    throttle.begin("alice", "10.0.0.2");
    throttle.begin("alice", "10.0.0.2");
    expect(throttle.retryAfterSeconds("alice", "10.0.0.2")).toBe(1);
    // ...and a success clears that pair only.
    throttle.succeeded("alice", "10.0.0.2");
    expect(throttle.retryAfterSeconds("alice", "10.0.0.2")).toBe(0);
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(4);
    throttle.succeeded("alice", "10.0.0.1");
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(0);
  });

  it("allows one address 20 failures in 15 minutes whatever the account, then waits for the oldest to age out", () => {
    const { state, now } = clock();
    const throttle = new SignInThrottle({}, now);
    // 20 failures, each for another account (no pair is slowed), 20 s apart.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      expect(failNow(throttle, `user${attempt}`, "10.0.0.1"), `failure ${attempt + 1}`).toBe(
        attempt === 19 ? 15 * 60 - 19 * 20 : 0,
      );
      if (attempt < 19) state.now += 20_000;
    }
    // The 21st attempt, on any account from that address, waits until the first failure is 15 minutes old.
    expect(throttle.retryAfterSeconds("someone-else", "10.0.0.1")).toBe(520);
    expect(throttle.retryAfterSeconds("user0", "10.0.0.2")).toBe(0);
    state.now += 520_000 - 1;
    expect(throttle.retryAfterSeconds("someone-else", "10.0.0.1")).toBe(1);
    state.now += 1;
    expect(throttle.retryAfterSeconds("someone-else", "10.0.0.1")).toBe(0);
    // One failure aged out, one more allowed; then the next oldest must age out, 20 s later.
    throttle.begin("someone-else", "10.0.0.1");
    expect(throttle.retryAfterSeconds("another", "10.0.0.1")).toBe(20);
  });

  it("takes a success back from the address's count, so the owner's sign-ins never use it up", () => {
    const { now } = clock();
    const throttle = new SignInThrottle({}, now);
    for (let attempt = 0; attempt < 19; attempt += 1) throttle.begin(`user${attempt}`, "10.0.0.1");
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(throttle.retryAfterSeconds("owner", "10.0.0.1")).toBe(0);
      throttle.begin("owner", "10.0.0.1");
      throttle.succeeded("owner", "10.0.0.1");
    }
    expect(throttle.retryAfterSeconds("owner", "10.0.0.1")).toBe(0);
    throttle.begin("user19", "10.0.0.1");
    expect(throttle.retryAfterSeconds("owner", "10.0.0.1")).toBe(15 * 60);
  });

  it("takes its limits from its options", () => {
    const { now } = clock();
    const throttle = new SignInThrottle({ freeFailures: 0, maxDelayMs: 3000, perAddress: 3 }, now);
    throttle.begin("alice", "10.0.0.1");
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(1);
    throttle.begin("alice", "10.0.0.1");
    throttle.begin("alice", "10.0.0.1");
    expect(throttle.retryAfterSeconds("alice", "10.0.0.1")).toBe(900);
    const capped = new SignInThrottle({ freeFailures: 0, maxDelayMs: 3000 }, now);
    for (let attempt = 0; attempt < 4; attempt += 1) capped.begin("alice", "10.0.0.1");
    expect(capped.retryAfterSeconds("alice", "10.0.0.1")).toBe(3);
  });
});

import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit";

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

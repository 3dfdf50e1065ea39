import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { SetupToken } from "./setup-token";

const codeOf = (work: () => void) => {
  try {
    work();
    return "ok";
  } catch (error) {
    return isAppError(error) ? error.code : "other";
  }
};

describe("SetupToken", () => {
  it("works once", () => {
    const setup = new SetupToken();
    const token = setup.token ?? "";
    expect(codeOf(() => setup.consume("atl_setup_wrong"))).toBe("FORBIDDEN");
    expect(codeOf(() => setup.consume(token))).toBe("ok");
    expect(codeOf(() => setup.consume(token))).toBe("FORBIDDEN");
  });

  it("ends after an hour", () => {
    let now = 0;
    const setup = new SetupToken(60 * 60_000, () => now);
    now = 60 * 60_000 + 1;
    expect(codeOf(() => setup.consume(setup.token ?? ""))).toBe("FORBIDDEN");
  });
});

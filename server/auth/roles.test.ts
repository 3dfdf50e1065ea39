import { describe, expect, it } from "vitest";
import { isAtLeast, lowerOf, ROLES, toRole, ZRole } from "./roles";

describe("roles", () => {
  it("rank viewer < operator < admin, for every pair", () => {
    const expected: Record<string, boolean> = {
      "viewer>=viewer": true,
      "viewer>=operator": false,
      "viewer>=admin": false,
      "operator>=viewer": true,
      "operator>=operator": true,
      "operator>=admin": false,
      "admin>=viewer": true,
      "admin>=operator": true,
      "admin>=admin": true,
    };
    for (const role of ROLES)
      for (const minimum of ROLES)
        expect(isAtLeast(role, minimum), `${role}>=${minimum}`).toBe(expected[`${role}>=${minimum}`]);
  });

  it("take the lower of two roles (a token acts with the lower of its own and its owner's)", () => {
    expect(lowerOf("admin", "viewer")).toBe("viewer");
    expect(lowerOf("viewer", "admin")).toBe("viewer");
    expect(lowerOf("operator", "admin")).toBe("operator");
    expect(lowerOf("admin", "operator")).toBe("operator");
    expect(lowerOf("admin", "admin")).toBe("admin");
  });

  it("read an unknown stored role as the least one, and validate input roles", () => {
    expect(toRole("admin")).toBe("admin");
    expect(toRole("operator")).toBe("operator");
    expect(toRole("root")).toBe("viewer");
    expect(toRole("")).toBe("viewer");
    expect(ZRole.safeParse("superuser").success).toBe(false);
    expect(ZRole.parse("operator")).toBe("operator");
  });
});

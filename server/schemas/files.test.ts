import { describe, expect, it } from "vitest";
import { guestParentOf, ZFileMode, ZGuestPath, ZOwnerName } from "./files";

describe("guest paths", () => {
  it("takes absolute paths without empty, . or .. parts, and refuses the rest with the catalogue's sentence", () => {
    for (const good of ["/", "/etc", "/etc/network/interfaces.d/eth0", "/a b/ü", `/${"x".repeat(255)}`])
      expect(ZGuestPath.safeParse(good).success).toBe(true);
    for (const bad of [
      "",
      "etc",
      "/etc/",
      "//etc",
      "/etc/../shadow",
      "/./etc",
      "/etc/..",
      "/a\0b",
      `/${"x".repeat(256)}`,
    ])
      expect(ZGuestPath.safeParse(bad).success).toBe(false);
    expect(ZGuestPath.safeParse(`/${"a/".repeat(2048)}b`).success).toBe(false);
    expect(ZGuestPath.safeParse("/etc/").error?.issues[0]?.message).toMatch(
      /absolute path inside the container/,
    );
  });

  it("splits a path into its parent and name", () => {
    expect(guestParentOf("/etc/hosts")).toEqual({ parent: "/etc", name: "hosts" });
    expect(guestParentOf("/etc")).toEqual({ parent: "/", name: "etc" });
    expect(guestParentOf("/")).toEqual({ parent: "/", name: "" });
  });

  it("takes modes up to 7777 and owners by name or number", () => {
    expect(ZFileMode.safeParse(0o4755).success).toBe(true);
    expect(ZFileMode.safeParse(0o10000).success).toBe(false);
    expect(ZFileMode.safeParse(1.5).success).toBe(false);
    for (const good of ["root", "www-data", "machine$", "0", "100033"])
      expect(ZOwnerName.safeParse(good).success).toBe(true);
    for (const bad of ["", "-rf", "a b", "1x", "../etc"])
      expect(ZOwnerName.safeParse(bad).success).toBe(false);
  });
});

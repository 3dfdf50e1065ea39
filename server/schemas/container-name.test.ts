import { describe, expect, it } from "vitest";
import { ZContainerName, isValidContainerName } from "./container-name";

describe("ZContainerName", () => {
  it.each(["web", "web-1", "db.2", "idle_3", "A1", "x".repeat(63)])("accepts %j", (name) => {
    expect(isValidContainerName(name)).toBe(true);
  });

  it.each([
    ["empty", ""],
    ["a semicolon", "a;touch /tmp/x"],
    ["a space", "my container"],
    ["a path", "../etc"],
    ["a slash", "a/b"],
    ["a newline", "a\nb"],
    ["300 characters", "x".repeat(300)],
    ["a leading dash", "-n"],
    ["a leading dot", ".hidden"],
    ["a leading underscore", "_x"],
    ["a shell expansion", "$(reboot)"],
    ["non-ASCII", "café"],
  ])("rejects %s", (_label, name) => {
    const result = ZContainerName.safeParse(name);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBeTruthy();
  });

  it("says what to do about each kind of bad name", () => {
    const message = (value: unknown) => ZContainerName.safeParse(value).error?.issues[0]?.message;
    expect(message("")).toBe("Enter a container name");
    expect(message(42)).toBe("Enter a container name");
    expect(message("x".repeat(64))).toBe("Use at most 63 characters");
    expect(message("-n")).toBe("Start with a letter or a digit (not '-', '.' or '_')");
    expect(message("a b")).toBe(
      "Use only letters, digits, '-', '_' and '.' (no spaces, '/' or other symbols)",
    );
  });

  it("rejects what is not a string", () => {
    expect(isValidContainerName(42)).toBe(false);
    expect(isValidContainerName(undefined)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { parseAttachArgs, parseExecArgs, RemoteUsageError } from "./remote-args";

describe("atelier exec's arguments", () => {
  it("takes the name, the options before the command, and everything after -- as the command", () => {
    expect(parseExecArgs(["web", "--", "sh", "-c", "exit 7"])).toEqual({
      name: "web",
      argv: ["sh", "-c", "exit 7"],
    });
    expect(
      parseExecArgs(["web", "--user", "alice", "--timeout=30", "--", "ls", "--user", "--", "-l"]),
    ).toEqual({ name: "web", argv: ["ls", "--user", "--", "-l"], user: "alice", timeoutSeconds: 30 });
    expect(parseExecArgs(["--timeout", "5", "web", "-u", "bob", "--", "true"])).toEqual({
      name: "web",
      argv: ["true"],
      user: "bob",
      timeoutSeconds: 5,
    });
  });

  it("starts the command at the first word after the name when there is no --", () => {
    expect(parseExecArgs(["web", "uname", "-a", "--timeout", "3"])).toEqual({
      name: "web",
      argv: ["uname", "-a", "--timeout", "3"],
    });
  });

  it("refuses a missing name or command, a bad timeout, user or option", () => {
    const refused = (args: string[]) => {
      expect(() => parseExecArgs(args)).toThrow(RemoteUsageError);
      try {
        parseExecArgs(args);
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    };
    expect(refused([])).toMatch(/NAME/);
    expect(refused(["--", "ls"])).toMatch(/NAME/);
    expect(refused(["web"])).toMatch(/command is missing/);
    expect(refused(["web", "--"])).toMatch(/command is missing/);
    expect(refused(["web", "--", ""])).toMatch(/command is missing/);
    expect(refused(["-bad", "--", "ls"])).toMatch(/unknown option/);
    expect(refused(["web", "--timeout", "0", "--", "ls"])).toMatch(/--timeout/);
    expect(refused(["web", "--timeout", "21601", "--", "ls"])).toMatch(/--timeout/);
    expect(refused(["web", "--timeout", "1.5", "--", "ls"])).toMatch(/--timeout/);
    expect(refused(["web", "--timeout"])).toMatch(/needs a value/);
    expect(refused(["web", "--user", "a b", "--", "ls"])).toMatch(/--user/);
    expect(refused(["web", "--verbose", "--", "ls"])).toMatch(/unknown option --verbose/);
    expect(refused(["bad name", "--", "ls"])).toMatch(/^NAME: /);
    expect(parseExecArgs(["web", "--timeout", "21600", "--", "ls"]).timeoutSeconds).toBe(21600);
  });
});

describe("atelier attach's arguments", () => {
  it("takes a shell by default, the console with --console, and a session id or new", () => {
    expect(parseAttachArgs(["web"])).toEqual({ name: "web", kind: "shell" });
    expect(parseAttachArgs(["--console", "web"])).toEqual({ name: "web", kind: "console" });
    expect(parseAttachArgs(["web", "--session", "new"])).toEqual({
      name: "web",
      kind: "shell",
      session: "new",
    });
    expect(parseAttachArgs(["web", "--session=abcdefghijklmnop_-12"])).toEqual({
      name: "web",
      kind: "shell",
      session: "abcdefghijklmnop_-12",
    });
  });

  it("refuses a missing name, a second one, a bad session, or a new console", () => {
    expect(() => parseAttachArgs([])).toThrow(/NAME/);
    expect(() => parseAttachArgs(["web", "db"])).toThrow(/unexpected argument/);
    expect(() => parseAttachArgs(["web", "--session", "short"])).toThrow(/--session/);
    expect(() => parseAttachArgs(["web", "--session"])).toThrow(/needs a value/);
    expect(() => parseAttachArgs(["web", "--console", "--session", "new"])).toThrow(/one console/);
    expect(() => parseAttachArgs(["web", "-x"])).toThrow(/unknown option -x/);
  });
});

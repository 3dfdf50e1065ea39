import { describe, expect, it } from "vitest";
import { isLocalConnection, localPrincipal, markLocalConnection } from "../auth/local-principal";
import { socketDirProblem } from "./local-socket";

const dir = (uid: number, mode: number, kind: "dir" | "link" | "file" = "dir") => ({
  uid,
  mode,
  isDirectory: () => kind === "dir",
  isSymbolicLink: () => kind === "link",
});

describe("the local socket's directory", () => {
  it("must be the web tier's own, 0700, in a parent nobody else can write", () => {
    const parent = dir(999, 0o40700);
    expect(socketDirProblem(dir(999, 0o40700), parent, 999)).toBeNull();
    expect(socketDirProblem(dir(999, 0o40700), dir(0, 0o40711), 999)).toBeNull();
    expect(socketDirProblem(dir(999, 0o40750), parent, 999)).toMatch(/mode is 750/);
    expect(socketDirProblem(dir(999, 0o40701), parent, 999)).toMatch(/only its owner/);
    expect(socketDirProblem(dir(1000, 0o40700), parent, 999)).toMatch(/belongs to uid 1000/);
    expect(socketDirProblem(dir(999, 0o120777, "link"), parent, 999)).toMatch(/not a directory/);
    expect(socketDirProblem(null, parent, 999)).toMatch(/not a directory/);
    expect(socketDirProblem(dir(999, 0o40700), dir(999, 0o40777), 999)).toMatch(
      /writable by group or others/,
    );
    expect(socketDirProblem(dir(999, 0o40700), dir(1000, 0o40700), 999)).toMatch(/parent belongs/);
  });

  it("marks connections, never by anything a client sends", () => {
    const connection = {};
    expect(isLocalConnection(connection)).toBe(false);
    expect(isLocalConnection(undefined)).toBe(false);
    markLocalConnection(connection);
    expect(isLocalConnection(connection)).toBe(true);
    expect(localPrincipal()).toEqual({ userId: 0, username: "local:root", role: "admin", via: "local" });
    expect(localPrincipal()).not.toHaveProperty("adminTicket");
    expect(localPrincipal()).not.toBe(localPrincipal());
  });
});

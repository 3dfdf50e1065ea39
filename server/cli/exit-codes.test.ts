import { describe, expect, it } from "vitest";
import { EXIT_ATELIER, EXIT_TIMEOUT, exitOfEnd, signalNumber } from "./exit-codes";

describe("the exit codes of exec and attach", () => {
  it("are the command's own code, or 128 + the signal that ended it", () => {
    expect(exitOfEnd({ type: "end", reason: "exited", exitCode: 7 }, "the command")).toEqual({
      code: 7,
      message: null,
    });
    expect(exitOfEnd({ type: "end", reason: "exited", exitCode: 0, signal: null }, "the command").code).toBe(
      0,
    );
    expect(exitOfEnd({ type: "end", reason: "exited", exitCode: null, signal: 9 }, "the command").code).toBe(
      137,
    );
    expect(exitOfEnd({ type: "end", reason: "exited", exitCode: null, signal: "SIGTERM" }, "x").code).toBe(
      143,
    );
    expect(exitOfEnd({ type: "end", reason: "exited", signal: "HUP" }, "x").code).toBe(129);
    expect(exitOfEnd({ type: "end", reason: "exited", exitCode: 300 }, "x").code).toBe(300 & 0xff);
  });

  it("are 124 past the time, 125 with a sentence when Atelier ended or lost it", () => {
    expect(exitOfEnd({ type: "end", reason: "timeout" }, "the command", 5)).toEqual({
      code: EXIT_TIMEOUT,
      message: "the command ran past its time (5 s) and was killed",
    });
    expect(exitOfEnd({ type: "end", reason: "stopped" }, "the shell")).toEqual({
      code: EXIT_ATELIER,
      message: "the container stopped: the shell ended with it",
    });
    expect(exitOfEnd({ type: "end", reason: "closed", by: "alice" }, "the shell").message).toBe(
      "the session was closed by alice",
    );
    expect(exitOfEnd({ type: "end", reason: "failed", message: "no /bin/sh" }, "the command")).toEqual({
      code: EXIT_ATELIER,
      message: "the command could not start: no /bin/sh",
    });
    expect(exitOfEnd({ type: "end", reason: "idle" }, "the shell").code).toBe(EXIT_ATELIER);
    expect(exitOfEnd({ type: "end", reason: "exited" }, "the shell").code).toBe(EXIT_ATELIER);
    expect(exitOfEnd({ type: "end", reason: "something new" }, "the shell").code).toBe(EXIT_ATELIER);
  });

  it("know signals by number and by name", () => {
    expect(signalNumber(15)).toBe(15);
    expect(signalNumber("SIGKILL")).toBe(9);
    expect(signalNumber("int")).toBe(2);
    expect(signalNumber("9")).toBe(9);
    expect(signalNumber("SIGNOPE")).toBeNull();
    expect(signalNumber(0)).toBeNull();
    expect(signalNumber(null)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { createTranslator } from "next-intl";
import { MESSAGES } from "@/server/i18n/messages";
import {
  clampSize,
  endWords,
  idleParts,
  MAX_ATTEMPTS,
  pastable,
  parseFrame,
  reconnectDelay,
  resizeFrame,
  socketUrl,
  storageKey,
} from "./console-frames";

describe("the terminal's frames", () => {
  it("reads the server's text frames of docs/console.md", () => {
    expect(
      parseFrame(
        '{"type":"hello","sessionId":"abcdefghijklmnopqrstuvwx","kind":"shell","name":"web1","role":"watcher","writer":"alice","cols":80,"rows":24}',
      ),
    ).toMatchObject({ type: "hello", role: "watcher", writer: "alice", cols: 80, rows: 24 });
    expect(parseFrame('{"type":"role","role":"writer","writer":"bob"}')).toEqual({
      type: "role",
      role: "writer",
      writer: "bob",
    });
    expect(parseFrame('{"type":"size","cols":120,"rows":40}')).toEqual({ type: "size", cols: 120, rows: 40 });
    expect(parseFrame('{"type":"repaint"}')).toEqual({ type: "repaint" });
    expect(parseFrame('{"type":"end","reason":"exited","exitCode":3,"signal":null}')).toMatchObject({
      type: "end",
      reason: "exited",
      exitCode: 3,
    });
  });

  it("ignores what it does not know rather than failing", () => {
    expect(parseFrame("not json")).toBeNull();
    expect(parseFrame('{"type":"teleport"}')).toBeNull();
    expect(parseFrame('{"type":"role","role":"king"}')).toBeNull();
    expect(parseFrame("[1,2]")).toBeNull();
  });

  it("says resize as the server reads it", () => {
    expect(JSON.parse(resizeFrame(100, 30))).toEqual({ type: "resize", cols: 100, rows: 30 });
  });

  it("waits longer after each failed attempt, at most ten seconds, and gives up after a few", () => {
    const delays = Array.from({ length: MAX_ATTEMPTS + 2 }, (_, attempt) => reconnectDelay(attempt));
    expect(delays[0]).toBe(500);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] ?? 0);
    expect(Math.max(...delays)).toBe(10_000);
    expect(MAX_ATTEMPTS).toBeGreaterThan(3);
  });

  it("opens the socket on the page's host, wss under https", () => {
    expect(socketUrl({ protocol: "https:", host: "atelier.example.org" }, "a+b", "web1")).toBe(
      "wss://atelier.example.org/api/console?ticket=a%2Bb&name=web1",
    );
    expect(socketUrl({ protocol: "http:", host: "127.0.0.1:3100" }, "t", "web1")).toBe(
      "ws://127.0.0.1:3100/api/console?ticket=t&name=web1",
    );
  });

  it("keeps sizes inside what the API takes, and sessions per container and kind", () => {
    expect(clampSize(0.5, 0)).toEqual({ cols: 80, rows: 24 });
    expect(clampSize(5000, 900)).toEqual({ cols: 500, rows: 200 });
    expect(clampSize(1, 1)).toEqual({ cols: 2, rows: 1 });
    expect(storageKey("web1", "shell")).not.toBe(storageKey("web1", "console"));
    expect(storageKey("web1", "shell")).not.toBe(storageKey("web2", "shell"));
  });

  it("says idle times in their largest unit", () => {
    expect(idleParts(42)).toEqual({ unit: "seconds", value: 42 });
    expect(idleParts(125)).toEqual({ unit: "minutes", value: 2 });
    expect(idleParts(7300)).toEqual({ unit: "hours", value: 2 });
  });
});

describe("why a session ended", () => {
  // The sentences themselves, in both languages, as the tab words them.
  const say = (locale: "en" | "fr", frame: Parameters<typeof endWords>[0]) => {
    const t = createTranslator({ locale, messages: MESSAGES[locale], namespace: "console.terminal" });
    const { reason, values } = endWords(frame);
    return t(`ended.${reason}`, values);
  };

  it("has a sentence for every reason the server gives, and one for any other", () => {
    expect(say("en", { reason: "exited", exitCode: 3 })).toBe("The session ended: it exited with code 3.");
    expect(say("fr", { reason: "exited", exitCode: 0 })).toBe(
      "La session est terminée\u00a0: elle s’est arrêtée avec le code 0.",
    );
    expect(say("en", { reason: "exited", exitCode: null, signal: 9 })).toBe(
      "The session ended: it exited on signal 9.",
    );
    expect(say("en", { reason: "stopped" })).toBe("The session ended: the container stopped.");
    expect(say("en", { reason: "closed", by: "alice" })).toBe("The session was closed by alice.");
    expect(say("fr", { reason: "closed" })).toBe("La session a été fermée.");
    expect(say("en", { reason: "idle" })).toBe("The session ended: nobody watched it for too long.");
    expect(say("en", { reason: "failed", message: "no such user" })).toBe(
      "The session could not start: no such user.",
    );
    expect(say("en", { reason: "signedOut" })).toBe(
      "The terminal was closed: you are signed out, or may no longer open it.",
    );
    expect(say("en", { reason: "cosmic-ray" })).toBe("The session ended.");
  });

  it("gives the exit code, signal, closer and message as arguments", () => {
    expect(endWords({ reason: "exited", exitCode: 3 }).values).toMatchObject({ hasCode: "yes", code: 3 });
    expect(endWords({ reason: "exited", exitCode: null, signal: 9 }).values).toMatchObject({
      hasCode: "no",
      hasSignal: "yes",
      signal: "9",
    });
    expect(endWords({ reason: "closed", by: "alice" }).values).toMatchObject({ hasBy: "yes", by: "alice" });
    expect(endWords({ reason: "closed" }).values).toMatchObject({ hasBy: "no" });
    expect(endWords({ reason: "failed", message: "no such user" }).values).toMatchObject({
      hasMessage: "yes",
      message: "no such user",
    });
  });
});

describe("a paste", () => {
  it("keeps text and line breaks, and drops ESC and C1 controls that could end a bracketed paste", () => {
    expect(pastable("ls -l\necho ok")).toBe("ls -l\necho ok");
    expect(pastable("echo safe\u001b[201~rm -rf ~\r")).toBe("echo safe[201~rm -rf ~\r");
    expect(pastable("a\u009bb")).toBe("ab");
  });
});

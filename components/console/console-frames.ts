import { z } from "zod";

/**
 * The browser's side of the terminal WebSocket (docs/console.md, "The WebSocket"), as pure rules: the text frames
 * the server sends, how long to wait before reconnecting, and where a tab remembers its session. The component
 * (components/console/terminal-session.tsx) does the I/O.
 */

export type TTerminalKind = "shell" | "console";
export type TRole = "writer" | "watcher";

const ZRole = z.enum(["writer", "watcher"]);
const ZSize = { cols: z.number().int().positive(), rows: z.number().int().positive() };

const ZServerFrame = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    sessionId: z.string(),
    kind: z.enum(["shell", "console", "exec"]).optional(),
    name: z.string().optional(),
    role: ZRole,
    writer: z.string().nullable().optional(),
    ...ZSize,
  }),
  z.object({ type: z.literal("role"), role: ZRole, writer: z.string().nullable().optional() }),
  z.object({ type: z.literal("size"), ...ZSize }),
  z.object({ type: z.literal("repaint") }),
  z.object({
    type: z.literal("end"),
    reason: z.string(),
    exitCode: z.number().int().nullable().optional(),
    signal: z.union([z.string(), z.number()]).nullable().optional(),
    by: z.string().nullable().optional(),
    message: z.string().nullable().optional(),
  }),
]);
export type TServerFrame = z.infer<typeof ZServerFrame>;
export type TEndFrame = Extract<TServerFrame, { type: "end" }>;

/** A text frame from the server, or null when it is not one this client knows (a newer server's: ignored). */
export function parseFrame(text: string): TServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = ZServerFrame.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The client's text frames. */
export const resizeFrame = (cols: number, rows: number) => JSON.stringify({ type: "resize", cols, rows });
export const TAKEOVER_FRAME = JSON.stringify({ type: "takeover" });

/** How long to wait before the n-th reconnection (0 first): half a second, doubling, at most ten seconds. */
export const reconnectDelay = (attempt: number) => Math.min(500 * 2 ** Math.max(0, attempt), 10_000);
/** Failed attempts in a row (no hello between them) after which the tab stops trying and says so. */
export const MAX_ATTEMPTS = 8;

/** Where a tab keeps the session it shows, per container and kind (sessionStorage: this browser tab only). */
export const storageKey = (name: string, kind: TTerminalKind) => `atelier.console.${kind}.${name}`;

/**
 * The WebSocket's address for a ticket, on this page's host and scheme. It names the container too, so the server
 * refuses a ticket that was for another.
 */
export const socketUrl = (location: { protocol: string; host: string }, ticket: string, name: string) =>
  `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/console?ticket=${encodeURIComponent(ticket)}&name=${encodeURIComponent(name)}`;

/** A terminal's size as the API takes it (2–500 columns, 1–200 rows), from what the fit addon proposes. */
export const clampSize = (cols: number, rows: number) => ({
  cols: Math.min(500, Math.max(2, Math.floor(cols) || 80)),
  rows: Math.min(200, Math.max(1, Math.floor(rows) || 24)),
});

/** The known end reasons; anything else is said as a plain "ended". */
const END_REASONS = [
  "exited",
  "stopped",
  "closed",
  "idle",
  "timeout",
  "failed",
  "gone",
  "signedOut",
] as const;
export type TEndReason = (typeof END_REASONS)[number] | "other";

/** Which sentence an end frame is, with its ICU arguments (components/console catalogue, `terminal.ended`). */
export function endWords(frame: Pick<TEndFrame, "reason" | "exitCode" | "signal" | "by" | "message">): {
  reason: TEndReason;
  values: Record<string, string | number>;
} {
  const reason = (END_REASONS as readonly string[]).includes(frame.reason)
    ? (frame.reason as TEndReason)
    : "other";
  const hasCode = typeof frame.exitCode === "number";
  const hasSignal = frame.signal !== null && frame.signal !== undefined && frame.signal !== "";
  return {
    reason,
    values: {
      hasCode: hasCode ? "yes" : "no",
      code: hasCode ? (frame.exitCode as number) : "",
      hasSignal: hasSignal ? "yes" : "no",
      signal: hasSignal ? String(frame.signal) : "",
      hasBy: frame.by ? "yes" : "no",
      by: frame.by ?? "",
      hasMessage: frame.message ? "yes" : "no",
      message: frame.message ?? "",
    },
  };
}

/** An idle time in its largest whole unit. */
export function idleParts(seconds: number): { unit: "seconds" | "minutes" | "hours"; value: number } {
  const whole = Math.max(0, Math.floor(seconds));
  if (whole < 60) return { unit: "seconds", value: whole };
  if (whole < 3600) return { unit: "minutes", value: Math.floor(whole / 60) };
  return { unit: "hours", value: Math.floor(whole / 3600) };
}

/** Pasted text without the controls that could escape a bracketed paste (ESC and the C1 controls). */
export const pastable = (text: string) =>
  [...text].filter((char) => char !== "\u001b" && !(char >= "\u0080" && char <= "\u009f")).join("");

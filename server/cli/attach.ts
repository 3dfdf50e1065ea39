import type WebSocket from "ws";
import { createKeyFilter, KEYS_HELP } from "./escape-keys";
import { exitOfEnd, type TEndFrame } from "./exit-codes";
import { callMutation, controlFrame, openConsoleSocket, RemoteError, type TEndpoint } from "./remote";
import type { TAttachArgs } from "./remote-args";

/**
 * `atelier attach NAME`: a shell (or the container's console) of the server's, in this terminal, through the API
 * (console.open, then the console's WebSocket). The terminal is in raw mode while attached: every key goes to the
 * session, but for the escape key (escape-keys.ts: Ctrl-] d detaches, leaving the session running on the server;
 * Ctrl-] t takes over). The window's size goes with console.open and on every change while writing. The terminal is
 * given back as it was on every way out (the session's end, a detach, a lost connection, a signal, a crash).
 * Resolves to the exit code: the shell's when it ended, 0 on a detach, 125 otherwise (exit-codes.ts).
 */
type THello = { type: "hello"; sessionId: string; role: "writer" | "watcher"; writer: string | null };
type TRoleFrame = { type: "role"; role: "writer" | "watcher"; writer: string | null };

/** Sent to a terminal after a session that may have left it with colours, a hidden cursor or mouse reporting. */
const SANE_TERMINAL = "\x1b[0m\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l";
/** A full reset (RIS): the hello and a repaint start from a blank screen. */
const RESET_TERMINAL = "\x1bc";

const sizeOf = () => {
  const cols = process.stdout.isTTY ? process.stdout.columns : 80;
  const rows = process.stdout.isTTY ? process.stdout.rows : 24;
  // The API's bounds (server/schemas/console.ts): a larger window is shown the top left of the session.
  return { cols: Math.min(500, Math.max(2, cols || 80)), rows: Math.min(200, Math.max(1, rows || 24)) };
};

export const runAttach = async (endpoint: TEndpoint, args: TAttachArgs): Promise<number> => {
  const what = args.kind === "console" ? "the console" : "the shell";
  const opened = await callMutation<{ sessionId: string; ticket: string; kind: string }>(
    endpoint,
    "console.open",
    {
      name: args.name,
      kind: args.kind,
      ...(args.session === undefined ? {} : { session: args.session }),
      ...sizeOf(),
    },
  );

  const isTty = Boolean(process.stdin.isTTY);
  const showsTerminal = Boolean(process.stdout.isTTY);
  let isRaw = false;
  const restoreTerminal = () => {
    if (isRaw) {
      isRaw = false;
      try {
        process.stdin.setRawMode(false);
      } catch {
        // The terminal is gone (a hang-up): nothing to give back.
      }
    }
  };
  // Every way out, an uncaught error too, gives the terminal back.
  process.once("exit", restoreTerminal);
  /** A line of Atelier's own, on stderr, whole in raw mode too. */
  const say = (line: string) =>
    process.stderr.write(`${isRaw ? "\r\n" : ""}[atelier] ${line}${isRaw ? "\r\n" : "\n"}`);

  let role: "writer" | "watcher" | null = null;
  let end: TEndFrame | null = null;
  let detached = false;
  let socket: WebSocket | null = null;

  const sendResize = () => {
    if (socket?.readyState === socket?.OPEN && role === "writer")
      socket?.send(JSON.stringify({ type: "resize", ...sizeOf() }));
  };

  const onMessage = (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      if (!process.stdout.write(data) && socket && !socket.isPaused) {
        const ws = socket;
        ws.pause();
        process.stdout.once("drain", () => ws.resume());
      }
      return;
    }
    const frame = controlFrame(data);
    if (!frame) return;
    if (frame.type === "hello") {
      const hello = frame as THello;
      role = hello.role;
      if (showsTerminal) process.stdout.write(RESET_TERMINAL);
      if (role === "watcher")
        say(
          `watching ${hello.writer ?? "someone"}'s session (read-only): Ctrl-] t takes over, Ctrl-] d detaches`,
        );
      else sendResize();
    } else if (frame.type === "role") {
      const change = frame as TRoleFrame;
      const was = role;
      role = change.role;
      if (role === "writer" && was !== "writer") {
        say("you type now");
        sendResize();
      } else if (role === "watcher" && was !== "watcher")
        say(`${change.writer ?? "someone"} took over: you watch (Ctrl-] t takes it back)`);
    } else if (frame.type === "repaint") {
      if (showsTerminal) process.stdout.write(RESET_TERMINAL);
    } else if (frame.type === "end") {
      end = frame as TEndFrame;
    }
  };

  const ws = await openConsoleSocket(endpoint, opened.ticket, args.name, onMessage);
  socket = ws;

  const filter = createKeyFilter();
  const onInput = (chunk: Buffer) => {
    for (const action of filter(chunk)) {
      if (ws.readyState !== ws.OPEN) return;
      if (action.type === "send") ws.send(action.bytes, { binary: true });
      else if (action.type === "takeover") {
        if (role === "watcher") ws.send(JSON.stringify({ type: "takeover" }));
      } else if (action.type === "help") say(KEYS_HELP);
      else {
        detached = true;
        ws.close(1000, "detached");
        return;
      }
    }
  };
  const onResize = () => sendResize();
  const onSignal = (signal: NodeJS.Signals) => {
    // A closed terminal or a kill: the session stays on the server, as on a detach.
    detached = true;
    ws.terminate();
    restoreTerminal();
    if (showsTerminal) process.stdout.write(SANE_TERMINAL);
    process.exit(128 + (signal === "SIGHUP" ? 1 : signal === "SIGINT" ? 2 : 15));
  };
  if (isTty) {
    process.stdin.setRawMode(true);
    isRaw = true;
  }
  process.stdin.on("data", onInput);
  process.stdin.resume();
  if (showsTerminal) process.stdout.on("resize", onResize);
  process.once("SIGTERM", onSignal);
  process.once("SIGHUP", onSignal);
  process.once("SIGINT", onSignal);

  const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") }));
    ws.on("error", () => undefined);
  });
  process.stdin.off("data", onInput);
  process.stdin.pause();
  process.stdout.off("resize", onResize);
  process.off("SIGTERM", onSignal);
  process.off("SIGHUP", onSignal);
  process.off("SIGINT", onSignal);
  const finished = end as TEndFrame | null;
  // Whatever modes the container's programs left on (mouse reporting, bracketed paste) go with the session.
  if (showsTerminal) process.stdout.write(SANE_TERMINAL);
  restoreTerminal();
  if (finished) {
    const { code, message } = exitOfEnd(finished, what);
    if (message) say(message);
    return code;
  }
  if (detached) {
    say(
      `detached: ${what} keeps running on the server; back to it with: atelier attach ${args.name}${args.kind === "console" ? " --console" : ` --session ${opened.sessionId}`}`,
    );
    return 0;
  }
  throw new RemoteError(
    `the connection to Atelier was lost (${closed.code}${closed.reason ? `: ${closed.reason}` : ""}); ${what} keeps running on the server: atelier attach ${args.name}${args.kind === "console" ? " --console" : ` --session ${opened.sessionId}`}`,
  );
};

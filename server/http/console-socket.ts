import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { principalOf } from "../auth/principal";
import type { TPrincipal } from "../auth/principal.types";
import { isAtLeast } from "../auth/roles";
import { streamExec } from "../console/exec";
import type { TRuntime } from "../runtime";
import { checkUpgradeOrigin, type TGuardRejection } from "./guards";

/**
 * GET /api/console?ticket=T[&name=NAME], upgraded to a WebSocket: a terminal session's viewer, or a command's
 * stream (docs/console.md has the frames). Before the upgrade: the Host check (the caller's), the Origin of a
 * state-changing request, a signed-in operator or admin, and a one-time ticket that this same sign-in got from
 * console.open or console.openExec for this container (server/console/tickets.ts). Every refusal is an HTTP answer;
 * no socket opens.
 */
export const CONSOLE_PATH = "/api/console";
/** The largest frame a client may send: a paste is cut into chunks by the browser's terminal long before this. */
const MAX_FRAME = 1024 * 1024;
const PING_MS = 30_000;
/** How often a socket's sign-in and role are read again: signed out, disabled or demoted, it is closed. */
const RECHECK_MS = 10_000;
/** Keystrokes or stdin sent up and not yet taken by the helper: past this, the socket is not read until it is. */
const MAX_PENDING_INPUT = 1024 * 1024;
const MAX_BUFFERED = 1024 * 1024;

/** An HTTP answer instead of the upgrade; the upgrade was ours to handle (true). */
type TPurpose = NonNullable<ReturnType<TRuntime["consoles"]["takeTicket"]>>;

const refuse = (socket: Duplex, { status, message }: TGuardRejection) => {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n${body}`,
  );
  return true;
};

const textOf = (data: RawData) =>
  Array.isArray(data)
    ? Buffer.concat(data).toString("utf8")
    : Buffer.from(data as ArrayBuffer).toString("utf8");
const bytesOf = (data: RawData) =>
  Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);

const parseControl = (data: RawData): Record<string, unknown> | null => {
  try {
    const value: unknown = JSON.parse(textOf(data));
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
};

export const createConsoleSocket = (
  runtime: TRuntime,
  checkHost: (req: IncomingMessage) => TGuardRejection | null,
) => {
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME,
    perMessageDeflate: false,
    clientTracking: false,
  });

  /** Reads nothing more from the socket while too much it sent waits for the helper. */
  const throttled = (ws: WebSocket, sending: Promise<void>, pending: () => number) => {
    if (pending() <= MAX_PENDING_INPUT || ws.isPaused) return;
    ws.pause();
    void sending.finally(() => ws.resume());
  };

  /**
   * Pings (a peer that does not answer within PING_MS is dropped), and reads the request's credentials again every
   * RECHECK_MS: a socket whose sign-in ended, or whose user may no longer do what it opened, is closed.
   */
  const keepAlive = (
    ws: WebSocket,
    req: IncomingMessage,
    mayStay: (principal: TPrincipal) => boolean | Promise<boolean>,
  ) => {
    let isAlive = true;
    let ticks = 0;
    ws.on("pong", () => (isAlive = true));
    const timer = setInterval(() => {
      ticks += 1;
      void principalOf(runtime.accounts, req)
        .then(async (principal) => (principal ? await mayStay(principal) : false))
        .catch(() => false)
        .then((mayStayOn) => {
          if (mayStayOn || ws.readyState !== WebSocket.OPEN) return;
          ws.send(JSON.stringify({ type: "end", reason: "signedOut" }));
          ws.close(1008, "signed out");
        });
      if (ticks % Math.round(PING_MS / RECHECK_MS) !== 0) return;
      if (!isAlive) return ws.terminate();
      isAlive = false;
      ws.ping();
    }, RECHECK_MS);
    timer.unref();
    ws.on("close", () => clearInterval(timer));
  };

  const viewerOf = (ws: WebSocket, principal: TPrincipal) => ({
    principal,
    send: (frame: Buffer | string) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame, { binary: typeof frame !== "string" });
    },
    buffered: () => ws.bufferedAmount,
    close: (code: number, reason: string) => ws.close(code, reason),
  });

  const serve = (ws: WebSocket, req: IncomingMessage, principal: TPrincipal, purpose: TPurpose) => {
    const { name } = purpose;
    const sameUser = (now: TPrincipal) => now.userId === principal.userId && isAtLeast(now.role, "operator");
    if (purpose.purpose.kind === "exec") {
      const { isPrivileged } = purpose.purpose;
      keepAlive(
        ws,
        req,
        async (now) =>
          sameUser(now) &&
          (!isPrivileged ||
            (await runtime.consoles.checkAccess(name, now).then(
              () => true,
              () => false,
            ))),
      );
      const viewer = viewerOf(ws, principal);
      const command = streamExec(runtime.helper, { name, ...purpose.purpose }, principal, {
        send: viewer.send,
        close: viewer.close,
        drained: async () => {
          while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount > MAX_BUFFERED)
            await new Promise((resolve) => setTimeout(resolve, 20));
        },
      });
      ws.on("message", (data, isBinary) => {
        if (isBinary) return throttled(ws, command.input(bytesOf(data)), command.pending);
        if (parseControl(data)?.type === "eof") command.eof();
      });
      ws.on("close", () => command.leave());
      return;
    }
    const { sessionId } = purpose.purpose;
    keepAlive(ws, req, async (now) => sameUser(now) && (await runtime.consoles.mayView(sessionId, now)));
    const member = runtime.consoles.join(sessionId, viewerOf(ws, principal));
    if (!member) return;
    ws.on("message", (data, isBinary) => {
      if (isBinary) return throttled(ws, member.input(bytesOf(data)), member.pending);
      const control = parseControl(data);
      if (control?.type === "resize") member.resize({ cols: control.cols, rows: control.rows });
      else if (control?.type === "takeover") member.takeOver();
    });
    ws.on("close", () => member.leave());
  };

  /** Handles the upgrade when it is ours (true); anything else is left to Next (false). */
  return async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== CONSOLE_PATH) return false;
    socket.on("error", () => undefined);
    const rejection = checkHost(req) ?? checkUpgradeOrigin(req);
    if (rejection) return refuse(socket, rejection);
    const principal = await principalOf(runtime.accounts, req);
    if (!principal) {
      await runtime.anonymousRefusals
        .record(req.socket.remoteAddress ?? null, `GET ${CONSOLE_PATH}`, "UNAUTHORIZED")
        .catch(() => undefined);
      return refuse(socket, { status: 401, message: "Sign in first" });
    }
    if (!isAtLeast(principal.role, "operator"))
      return refuse(socket, { status: 403, message: "Shells, consoles and commands need the operator role" });
    const purpose = runtime.consoles.takeTicket(
      url.searchParams.get("ticket") ?? "",
      principal,
      url.searchParams.get("name"),
    );
    if (!purpose)
      return refuse(socket, {
        status: 403,
        message:
          "This console ticket is not valid: it is used once, within 30 seconds, by the sign-in that asked for it, for its container. Open the terminal again.",
      });
    // A streamed command takes one of the running commands' places until its socket closes.
    let release = () => undefined as void;
    if (purpose.purpose.kind === "exec") {
      try {
        release = runtime.consoles.commandSlot(principal);
      } catch (error) {
        return refuse(socket, { status: 429, message: (error as Error).message });
      }
    }
    // Given back when the connection ends, whether or not the upgrade completes (ws drops a bad handshake or a
    // client gone meanwhile without calling back); giving it back twice is harmless.
    socket.once("close", release);
    server.handleUpgrade(req, socket, head, (ws) => serve(ws, req, principal, purpose));
    return true;
  };
};

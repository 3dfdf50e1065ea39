"use client";

import "@xterm/xterm/css/xterm.css";
import { FitAddon } from "@xterm/addon-fit";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { Terminal } from "@xterm/xterm";
import { TRPCClientError } from "@trpc/client";
import { useTranslations } from "next-intl";
import { useEffect, useEffectEvent, useId, useRef, useState } from "react";
import { useTRPCClient } from "@/components/trpc";
import { Button, Spinner } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { useDarkMode } from "@/components/ui/use-dark-mode";
import {
  clampSize,
  endWords,
  MAX_ATTEMPTS,
  parseFrame,
  pastable,
  reconnectDelay,
  resizeFrame,
  socketUrl,
  storageKey,
  TAKEOVER_FRAME,
  type TEndFrame,
  type TRole,
  type TTerminalKind,
} from "./console-frames";
import { DARK_THEME, LIGHT_THEME, TERMINAL_FONT } from "./terminal-theme";

/** Which session the tab opens: the one it showed last (else the user's latest shell), a new one, or another's. */
export type TTerminalRequest = { mode: "resume" } | { mode: "new" } | { mode: "join"; id: string };

type TPhase = "connecting" | "live" | "reconnecting" | "ended" | "failed";
type TFailure = { error: unknown; keepsFailing: boolean };

const codeOf = (error: unknown) =>
  error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
// Worth another try after a pause: the network, the server restarting, a gateway. Anything else is an answer, said
// at once: a refusal, a stopped container, too many sessions or tickets (429: trying again would only add to them).
const TRANSIENT = new Set([
  "INTERNAL_SERVER_ERROR",
  "TIMEOUT",
  "SERVICE_UNAVAILABLE",
  "BAD_GATEWAY",
  "GATEWAY_TIMEOUT",
  "CLIENT_CLOSED_REQUEST",
]);
const isTransient = (error: unknown) => {
  const code = codeOf(error);
  return code === undefined || TRANSIENT.has(code);
};

const storage = () => {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
};

// Chords the terminal leaves to the page: Ctrl+Shift+C copies the selection (Chromium would open its inspector),
// Ctrl+Shift+V is the browser's own paste (xterm.js sends it, bracketed when the program asked).
const isChord = (event: KeyboardEvent, code: string) =>
  event.ctrlKey && event.shiftKey && !event.altKey && !event.metaKey && event.code === code;
const MODIFIERS = new Set(["Shift", "Control", "Alt", "Meta", "AltGraph"]);

/**
 * A terminal session in the browser: xterm.js on a WebSocket to a shell or console on the server (docs/console.md).
 * It asks `console.open` for a ticket, opens `/api/console?ticket=…`, and follows the server's frames: `hello` resets
 * the screen (the binary frames after it repaint it), `role` says who types, `size` gives watchers the writer's size,
 * `repaint` starts the screen over, `end` says why it ended. The writer's keystrokes go as binary frames and its size
 * follows its box (the fit addon, a ResizeObserver); a watcher types nothing and may take over. A connection that
 * drops comes back by itself, with a pause that doubles, on the same session (a fresh ticket each time). The session
 * shown is kept in sessionStorage, so a reload reattaches to it.
 *
 * Client-only: components/console/console-panel.tsx loads it with `ssr: false` (xterm.js needs `window`).
 */
export function TerminalSession({
  name,
  kind,
  request,
  onSession,
  onRestart,
}: {
  name: string;
  kind: TTerminalKind;
  request: TTerminalRequest;
  /** The session on screen (null once it ended): the sessions list marks it. */
  onSession: (id: string | null) => void;
  /** Starts over: a new shell, or the console again (`fresh`), or the same request once more. */
  onRestart: (fresh: boolean) => void;
}) {
  const t = useTranslations("console.terminal");
  const client = useTRPCClient();
  const isDark = useDarkMode();
  const hintId = useId();
  const boxRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const takeOverRef = useRef<() => void>(() => undefined);
  const [phase, setPhase] = useState<TPhase>("connecting");
  const [role, setRole] = useState<{ role: TRole; writer: string | null } | null>(null);
  const [end, setEnd] = useState<TEndFrame | null>(null);
  const [failure, setFailure] = useState<TFailure | null>(null);
  const label = t("label", { kind, name });
  const tellSession = useEffectEvent((id: string | null) => onSession(id));
  const initialTheme = useEffectEvent(() => (isDark ? DARK_THEME : LIGHT_THEME));
  const requestRef = useRef(request);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    Terminal.strings.promptLabel = label;
    const term = new Terminal({
      fontFamily: TERMINAL_FONT,
      fontSize: 14,
      lineHeight: 1.1,
      cursorBlink: true,
      scrollback: 5000,
      theme: initialTheme(),
      // Watchers type nothing until they take over (copying a selection still works).
      disableStdin: true,
    });
    termRef.current = term;
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.loadAddon(
      new WebLinksAddon((event, uri) => {
        event.preventDefault();
        window.open(uri, "_blank", "noopener,noreferrer");
      }),
    );
    term.open(box);
    term.textarea?.setAttribute("aria-label", label);
    term.textarea?.setAttribute("aria-describedby", hintId);
    fit.fit();

    const key = storageKey(name, kind);
    const encoder = new TextEncoder();
    let socket: WebSocket | null = null;
    let sessionId: string | null = null;
    let myRole: TRole = "watcher";
    let isEnded = false;
    let isDisposed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let escapeArmed = false;

    const send = (data: string | Uint8Array) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(data);
    };
    const sendSize = () => send(resizeFrame(term.cols, term.rows));
    const applyRole = (next: TRole, writer: string | null) => {
      myRole = next;
      term.options.disableStdin = next !== "writer";
      setRole({ role: next, writer });
      if (next === "writer") {
        fit.fit();
        sendSize();
      }
    };
    takeOverRef.current = () => send(TAKEOVER_FRAME);
    const remember = (id: string | null) => {
      if (id) storage()?.setItem(key, id);
      else if (sessionId && storage()?.getItem(key) === sessionId) storage()?.removeItem(key);
      tellSession(id);
    };
    const finish = (frame: TEndFrame) => {
      isEnded = true;
      remember(null);
      term.options.disableStdin = true;
      setEnd(frame);
      setPhase("ended");
    };
    const fail = (error: unknown, keepsFailing: boolean) => {
      setFailure({ error, keepsFailing });
      setPhase("failed");
    };
    const retry = (error: unknown) => {
      if (attempt >= MAX_ATTEMPTS) return fail(error, true);
      setPhase("reconnecting");
      timer = setTimeout(() => void open(sessionId ?? undefined), reconnectDelay(attempt));
      attempt += 1;
    };

    term.onData((data) => {
      if (myRole === "writer") send(encoder.encode(data));
    });
    // Mouse reports in the X10 encoding: bytes, not text.
    term.onBinary((data) => {
      if (myRole === "writer") send(Uint8Array.from(data, (char) => char.charCodeAt(0) & 0xff));
    });
    term.onResize(() => {
      if (myRole === "writer") sendSize();
    });
    term.attachCustomKeyEventHandler((event) => {
      // Escape then Tab (or Shift+Tab) leaves the terminal: the Tab goes to the page, not to the shell.
      if (event.key === "Tab" && escapeArmed) {
        if (event.type === "keydown") escapeArmed = false;
        return false;
      }
      if (event.type === "keydown" && !MODIFIERS.has(event.key)) escapeArmed = event.key === "Escape";
      if (isChord(event, "KeyC")) {
        if (event.type === "keydown") {
          event.preventDefault();
          const selection = term.getSelection();
          if (selection) void navigator.clipboard?.writeText(selection).catch(() => undefined);
        }
        return false;
      }
      return !isChord(event, "KeyV");
    });
    // A paste goes in as text only: an escape (ESC, C1) in the clipboard, put there by another page, could end a
    // bracketed paste early and type the rest as keys.
    const onPaste = (event: ClipboardEvent) => {
      const text = event.clipboardData?.getData("text/plain");
      if (text === undefined) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      if (myRole === "writer") term.paste(pastable(text));
    };
    box.addEventListener("paste", onPaste, true);
    // The writer's box decides the size; a watcher keeps the writer's (its box scrolls when smaller).
    const observer = new ResizeObserver(() => {
      if (myRole === "writer" && !isEnded) fit.fit();
    });
    observer.observe(box);

    const onMessage = (event: MessageEvent<string | ArrayBuffer>) => {
      if (typeof event.data !== "string") {
        term.write(new Uint8Array(event.data));
        return;
      }
      const frame = parseFrame(event.data);
      if (!frame) return;
      switch (frame.type) {
        case "hello":
          attempt = 0;
          term.reset();
          if (frame.sessionId !== sessionId) {
            sessionId = frame.sessionId;
            remember(sessionId);
          }
          if (frame.role !== "writer") term.resize(frame.cols, frame.rows);
          applyRole(frame.role, frame.writer ?? null);
          setPhase("live");
          break;
        case "role":
          applyRole(frame.role, frame.writer ?? null);
          break;
        case "size":
          if (myRole !== "writer") term.resize(frame.cols, frame.rows);
          break;
        case "repaint":
          term.reset();
          break;
        case "end":
          finish(frame);
          break;
      }
    };

    const open = async (session: string | undefined) => {
      const size = fit.proposeDimensions();
      const { cols, rows } = clampSize(size?.cols ?? term.cols, size?.rows ?? term.rows);
      let ticket: string;
      try {
        const answer = await client.console.open.mutate({
          name,
          kind,
          cols,
          rows,
          ...(session ? { session } : {}),
        });
        ticket = answer.ticket;
        if (isDisposed) return;
        if (answer.sessionId !== sessionId) {
          sessionId = answer.sessionId;
          remember(sessionId);
        }
      } catch (error) {
        if (isDisposed) return;
        if (codeOf(error) === "NOT_FOUND" && session && session !== "new") {
          // The tab's remembered session ended while nobody watched: back to the user's latest shell, or a new one.
          if (sessionId === null && requestRef.current.mode === "resume") {
            storage()?.removeItem(key);
            return open(undefined);
          }
          return finish({ type: "end", reason: "gone" });
        }
        return isTransient(error) ? retry(error) : fail(error, false);
      }
      const ws = new WebSocket(socketUrl(window.location, ticket, name));
      ws.binaryType = "arraybuffer";
      socket = ws;
      ws.onmessage = onMessage;
      ws.onclose = () => {
        if (socket !== ws) return;
        socket = null;
        // A refused upgrade, a restart, a network change: the session stays on the server; come back to it.
        if (!isEnded && !isDisposed) retry(null);
      };
    };

    const first = requestRef.current;
    const stored = first.mode === "resume" ? storage()?.getItem(key) : null;
    void open(first.mode === "new" ? "new" : first.mode === "join" ? first.id : (stored ?? undefined));

    return () => {
      isDisposed = true;
      clearTimeout(timer);
      observer.disconnect();
      box.removeEventListener("paste", onPaste, true);
      const ws = socket;
      socket = null;
      // Leaving the page leaves the session running (docs/console.md): only this connection closes.
      ws?.close(1000);
      takeOverRef.current = () => undefined;
      termRef.current = null;
      term.dispose();
    };
  }, [client, name, kind, label, hintId]);

  useEffect(() => {
    if (termRef.current) termRef.current.options.theme = isDark ? DARK_THEME : LIGHT_THEME;
  }, [isDark]);

  const ended = end ? endWords(end) : null;
  return (
    <div className="space-y-2">
      <div className="flex min-h-9 flex-wrap items-center gap-3 text-sm">
        <p role="status" data-testid="terminal-role" className="flex items-center gap-2">
          {(phase === "connecting" || phase === "reconnecting") && (
            <>
              <Spinner /> {t(phase)}
            </>
          )}
          {phase === "live" && role?.role === "writer" && t("typing")}
          {phase === "live" &&
            role?.role === "watcher" &&
            (role.writer ? t("watching", { writer: role.writer }) : t("watchingNobody"))}
          {phase === "ended" && ended && t(`ended.${ended.reason}`, ended.values)}
        </p>
        {phase === "live" && role?.role === "watcher" && (
          <Button size="sm" variant="primary" onClick={() => takeOverRef.current()}>
            {t("takeOver")}
          </Button>
        )}
        {phase === "ended" && (
          <Button size="sm" variant="primary" onClick={() => onRestart(true)}>
            {kind === "console" ? t("reopenConsole") : t("newShell")}
          </Button>
        )}
      </div>
      {phase === "failed" && failure && (
        <div className="space-y-2">
          <ErrorAlert
            error={failure.error}
            title={failure.keepsFailing ? t("keepsFailing") : t("openError")}
          />
          <Button onClick={() => onRestart(false)}>{t("tryAgain")}</Button>
        </div>
      )}
      <div
        ref={boxRef}
        role="group"
        aria-label={t("region", { kind, name })}
        data-testid="terminal"
        // What the shell prints is the container's, not words of the page to translate.
        translate="no"
        className="h-[60vh] min-h-64 overflow-auto rounded-md border border-slate-300 bg-white p-1.5 dark:border-slate-700 dark:bg-[#020617]"
      />
      <p id={hintId} className="text-xs text-slate-600 dark:text-slate-400">
        {t("leaveHint")}
      </p>
    </div>
  );
}

import { randomBytes } from "node:crypto";
import type { TPrincipal } from "../auth/principal.types";
import { isAtLeast } from "../auth/roles";
import type { TDb } from "../db";
import { AppError, said } from "../errors";
import type { EventBus } from "../events/bus";
import type { THelper } from "../helper-client";
import { MAX_CHUNK_BYTES } from "../helper/contract/define";
import type { TLogger } from "../log";
import {
  DEFAULT_CONSOLE_SETTINGS,
  DEFAULT_EXEC_SECONDS,
  ZTerminalSize,
  type TConsoleSettings,
  type TTerminalKind,
} from "../schemas/console";
import { createScreen, type TScreen } from "./screen";
import { createTickets } from "./tickets";

/**
 * The web tier's terminal sessions (docs/console.md): each is a helper call (console.terminal: the pty lives in the
 * helper) with the screen kept here, any number of viewers (WebSockets), one of whom writes. A session outlives its
 * viewers for the keep time, ends with its program, when the container stops, or when someone closes it.
 *
 * Domain code: the WebSocket handler (server/http/console-socket.ts) hands each socket over as a TViewer.
 */

/** A viewer's socket, as the session sees it. */
export type TViewer = {
  principal: TPrincipal;
  /** Sends a frame: a Buffer as binary (terminal output), a string as text (a control message). */
  send: (frame: Buffer | string) => void;
  /** Bytes sent and not yet written to the network. */
  buffered: () => number;
  close: (code: number, reason: string) => void;
};

export type TEndReason = "exited" | "stopped" | "closed" | "idle" | "failed" | "timeout";

/** A viewer that lets more than this pile up stops getting output; once it catches up, it is repainted. */
const MAX_BUFFERED = 1024 * 1024;
const CAUGHT_UP = 64 * 1024;
/** A session nobody ever opened (its ticket unused) goes after this. */
const NEVER_OPENED_MS = 60_000;
/** Sessions one user may have open at once (all containers), and a container at once. */
export const MAX_SESSIONS_PER_USER = 20;
export const MAX_SESSIONS_PER_CONTAINER = 20;
/**
 * Every session and running command holds one of the helper connection's calls (it runs at most 256 at once): these
 * keep the rest for everything else, whatever users open.
 */
export const MAX_SESSIONS = 100;
export const MAX_COMMANDS = 48;
export const MAX_COMMANDS_PER_USER = 8;
/** A session serialises its screen for a viewer at most this often. */
const REPAINT_EVERY_MS = 500;
/** How long a session whose program ended waits to learn whether its container is stopping. */
const STOP_GRACE_MS = 750;
/** A writer's resizes reach the pty and the kept screen at most this often (the last one wins). */
const RESIZE_EVERY_MS = 100;

type TMember = TViewer & { lagging: boolean; isNew: boolean };

type TSession = {
  id: string;
  name: string;
  kind: TTerminalKind;
  owner: { userId: number; username: string };
  /** Its container's init reached host id 0 when it started: admins only, whatever its config says since. */
  isPrivileged: boolean;
  startedAt: Date;
  lastActivity: number;
  cols: number;
  rows: number;
  screen: TScreen;
  viewers: Set<TMember>;
  writer: TMember | null;
  call: ReturnType<THelper["console"]["terminal"]>;
  pendingInput: number;
  /** When this session may next serialise its screen for a viewer. */
  nextRepaintAt: number;
  timer: NodeJS.Timeout | null;
  ended: boolean;
};

type TExecPurpose = {
  kind: "exec";
  argv: string[];
  user: string;
  timeoutSeconds: number;
  isPrivileged: boolean;
};
type TTerminalPurpose = { kind: "terminal"; sessionId: string };
export type TConsolePurpose = TExecPurpose | TTerminalPurpose;

const json = (value: unknown) => JSON.stringify(value);
const signInOf = (principal: TPrincipal) =>
  principal.via === "local"
    ? "local:"
    : `${principal.via}:${principal.via === "session" ? principal.sessionId : principal.tokenId}`;

export const createConsoles = ({
  helper,
  db,
  events,
  keepMinutes,
  scrollback,
  log,
}: {
  helper: THelper;
  db: TDb;
  events: EventBus;
  keepMinutes: number;
  scrollback: number;
  log: TLogger;
}) => {
  /** Whether a session's program ended because its container stopped (or is stopping). */
  const isStopped = (name: string) =>
    helper.console
      .inspect({ name })
      .then(({ isRunning }) => !isRunning)
      .catch(() => true);
  const sessions = new Map<string, TSession>();
  const tickets = createTickets<TConsolePurpose>();
  const starting = new Set<{ owner: { userId: number }; name: string }>();
  const commands = new Map<number, number>();
  let commandCount = 0;

  const audit = async (
    principal: TPrincipal,
    action: string,
    target: string,
    input: Record<string, unknown>,
  ) => {
    await db.auditEntry
      .create({
        data: {
          actor: principal.username,
          via: principal.via,
          action,
          target,
          input: json(input),
          result: "ok",
        },
      })
      .catch((error: unknown) => log.error("audit entry could not be written", { action, error }));
  };

  const roleOf = (session: TSession, viewer: TMember) => (session.writer === viewer ? "writer" : "watcher");
  const announceRoles = (session: TSession) => {
    // A new viewer learns its role from its hello, sent once its repaint is ready.
    for (const viewer of session.viewers)
      if (!viewer.isNew)
        viewer.send(
          json({
            type: "role",
            role: roleOf(session, viewer),
            writer: session.writer?.principal.username ?? null,
          }),
        );
  };

  const armTimer = (session: TSession) => {
    if (session.timer) clearTimeout(session.timer);
    session.timer = null;
    if (session.viewers.size > 0 || session.ended) return;
    session.timer = setTimeout(() => end(session, { reason: "idle" }), keepMinutes * 60_000);
    session.timer.unref();
  };

  const end = (
    session: TSession,
    details: {
      reason: TEndReason;
      exitCode?: number | null;
      signal?: number | null;
      by?: string;
      message?: string;
    },
  ) => {
    if (session.ended) return;
    session.ended = true;
    sessions.delete(session.id);
    if (session.timer) clearTimeout(session.timer);
    session.call.cancel();
    const frame = json({ type: "end", ...details });
    for (const viewer of session.viewers) {
      viewer.send(frame);
      viewer.close(1000, details.reason);
    }
    session.viewers.clear();
    session.screen.dispose();
    log.info("terminal session ended", { session: session.id, name: session.name, reason: details.reason });
  };

  /**
   * The screen so far, then live output: for a new viewer, and for one that fell behind. A session repaints at most
   * every REPAINT_EVERY_MS (serialising a screen holds the event loop): a viewer joining a busy session waits a
   * moment rather than everyone's requests.
   */
  const repaint = (session: TSession, viewer: TMember) => {
    const now = Date.now();
    const at = Math.max(now, session.nextRepaintAt);
    session.nextRepaintAt = at + REPAINT_EVERY_MS;
    if (at > now) {
      setTimeout(() => paint(session, viewer), at - now).unref();
      return;
    }
    paint(session, viewer);
  };

  const paint = (session: TSession, viewer: TMember) => {
    session.screen.snapshot((screen, pending) => {
      if (session.ended || !session.viewers.has(viewer)) return;
      viewer.send(
        viewer.isNew
          ? json({
              type: "hello",
              sessionId: session.id,
              kind: session.kind,
              name: session.name,
              role: roleOf(session, viewer),
              writer: session.writer?.principal.username ?? null,
              cols: session.cols,
              rows: session.rows,
            })
          : json({ type: "repaint" }),
      );
      viewer.isNew = false;
      if (screen) viewer.send(Buffer.from(screen));
      for (const chunk of pending) viewer.send(chunk);
      viewer.lagging = false;
    });
  };

  const watchLag = (session: TSession, viewer: TMember) => {
    const timer = setInterval(() => {
      if (session.ended || !session.viewers.has(viewer)) return clearInterval(timer);
      if (viewer.buffered() > CAUGHT_UP) return;
      clearInterval(timer);
      repaint(session, viewer);
    }, 250);
    timer.unref();
  };

  const output = (session: TSession, chunk: Buffer) => {
    session.lastActivity = Date.now();
    for (const viewer of session.viewers) {
      if (viewer.lagging || viewer.isNew) continue;
      if (viewer.buffered() > MAX_BUFFERED) {
        viewer.lagging = true;
        watchLag(session, viewer);
        continue;
      }
      viewer.send(chunk);
    }
    // The helper's next chunk waits until this one is in the screen: a flood runs at the speed the server keeps up.
    return session.screen.write(chunk);
  };

  const settingsOf = async (name: string): Promise<TConsoleSettings> => {
    const row = await db.consoleSetting.findUnique({ where: { container: name } });
    return row ? { user: row.user, shell: row.shell } : DEFAULT_CONSOLE_SETTINGS;
  };

  /**
   * Refuses early what the helper would refuse later, in the reader's words: a container that is not running, or a
   * privileged one for anyone but an admin whose ticket the helper knows (a session signed in with the password in
   * the last 12 h, or a token made from one): the helper judges the ticket, not the web tier.
   */
  const checkAccess = async (name: string, principal: TPrincipal) => {
    const { isRunning, isPrivileged, isTicketValid } = await helper.console.inspect({
      name,
      ...(principal.role === "admin" && principal.adminTicket ? { ticket: principal.adminTicket } : {}),
    });
    if (!isRunning) {
      const state = (await helper.lxc.info({ name }).catch(() => null))?.state ?? "STOPPED";
      throw new AppError("PRECONDITION_FAILED", said("consoleNeedsRunning", { name, state }));
    }
    if (isPrivileged && principal.role !== "admin")
      throw new AppError("FORBIDDEN", said("consolePrivilegedAdminsOnly", { name }));
    if (isPrivileged && !isTicketValid)
      throw new AppError("FORBIDDEN", said("consolePrivilegedNeedsTicket", { name }));
    return { isPrivileged: isPrivileged !== false };
  };

  const start = async (
    name: string,
    kind: TTerminalKind,
    size: { cols: number; rows: number },
    principal: TPrincipal,
    isPrivileged: boolean,
  ) => {
    // Sessions being started count too: parallel opens are judged one after another, before any of them waits.
    const mine: { owner: { userId: number }; name: string }[] = [...sessions.values(), ...starting];
    if (mine.length >= MAX_SESSIONS)
      throw new AppError("TOO_MANY_REQUESTS", said("consoleTooManyOpen", { max: MAX_SESSIONS }));
    if (mine.filter((session) => session.owner.userId === principal.userId).length >= MAX_SESSIONS_PER_USER)
      throw new AppError("TOO_MANY_REQUESTS", said("consoleTooManySessions", { max: MAX_SESSIONS_PER_USER }));
    if (mine.filter((session) => session.name === name).length >= MAX_SESSIONS_PER_CONTAINER)
      throw new AppError(
        "TOO_MANY_REQUESTS",
        said("consoleTooManyContainerSessions", { name, max: MAX_SESSIONS_PER_CONTAINER }),
      );
    const reservation = { owner: { userId: principal.userId }, name };
    starting.add(reservation);
    // A privileged container's shell is root's login shell as its own /etc/passwd says: the stored setting is
    // written by operators too (while its config looked isolated, say), and would choose what runs as host root.
    let settings: TConsoleSettings;
    try {
      settings = isPrivileged ? DEFAULT_CONSOLE_SETTINGS : await settingsOf(name);
    } catch (error) {
      starting.delete(reservation);
      throw error;
    }
    const id = randomBytes(18).toString("base64url");
    let firstOutput: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (firstOutput = resolve));
    const session: TSession = {
      id,
      name,
      kind,
      owner: { userId: principal.userId, username: principal.username },
      isPrivileged,
      startedAt: new Date(),
      lastActivity: Date.now(),
      cols: size.cols,
      rows: size.rows,
      screen: createScreen({ ...size, scrollback }),
      viewers: new Set(),
      writer: null,
      pendingInput: 0,
      nextRepaintAt: 0,
      timer: null,
      ended: false,
      call: helper.console.terminal(
        {
          name,
          kind,
          user: settings.user,
          shell: settings.shell,
          cols: size.cols,
          rows: size.rows,
          ...(principal.adminTicket ? { ticket: principal.adminTicket } : {}),
        },
        {
          onItem: (chunk) => {
            firstOutput();
            return output(session, chunk);
          },
        },
      ),
    };
    sessions.set(id, session);
    // Counted as a session from here, in the same step.
    starting.delete(reservation);
    session.timer = setTimeout(
      () => end(session, { reason: "idle" }),
      Math.min(NEVER_OPENED_MS, keepMinutes * 60_000),
    );
    session.timer.unref();
    const finished = session.call.result.then(
      async ({ exitCode, signal }) => {
        // A stopping container kills the shell before lxc-monitor says STOPPED: a moment for that word to come (it
        // ends the session as "stopped"), then the state asked.
        await new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS));
        end(session, { reason: (await isStopped(name)) ? "stopped" : "exited", exitCode, signal });
      },
      (error: unknown) => {
        end(session, { reason: "failed", message: (error as Error).message });
        throw error;
      },
    );
    // The helper's refusals (no such user in the guest, a ticket refused) are the caller's error, not a blank tab.
    await Promise.race([started, finished, new Promise((resolve) => setTimeout(resolve, 5000))]);
    finished.catch(() => undefined);
    return session;
  };

  /** A privileged container's sessions are the admins': not listed, joined or closed by anyone else. */
  const mayReach = async (session: TSession, principal: TPrincipal) =>
    !session.isPrivileged ||
    (principal.role === "admin" &&
      !!principal.adminTicket &&
      (await helper.console
        .inspect({ name: session.name, ticket: principal.adminTicket })
        .then(({ isTicketValid }) => isTicketValid !== false)
        .catch(() => false)));

  const find = (name: string, sessionId: string) => {
    const session = sessions.get(sessionId);
    if (!session || session.name !== name)
      throw new AppError("NOT_FOUND", said("consoleSessionNotFound", { name }));
    return session;
  };

  // A container that stops ends its sessions, whether or not their programs noticed yet.
  events.subscribe((event) => {
    if (event.type !== "state" || event.state !== "STOPPED" || !event.container) return;
    for (const session of sessions.values())
      if (session.name === event.container) end(session, { reason: "stopped" });
  });

  return {
    /**
     * A terminal for the caller: the session asked for (any of the container's: a second viewer watches), the
     * container's console (one per container), the caller's own latest shell on it, or a new one. Answers a ticket
     * for the WebSocket.
     */
    open: async (
      {
        name,
        kind,
        session: wanted,
        cols,
        rows,
      }: { name: string; kind: TTerminalKind; session?: string; cols: number; rows: number },
      principal: TPrincipal,
    ) => {
      const size = ZTerminalSize.parse({ cols, rows });
      const { isPrivileged } = await checkAccess(name, principal);
      let session: TSession | undefined;
      if (wanted && wanted !== "new") {
        session = find(name, wanted);
        if (session.kind !== kind) throw new AppError("NOT_FOUND", said("consoleSessionNotFound", { name }));
      } else if (kind === "console") {
        session = [...sessions.values()].find((each) => each.name === name && each.kind === "console");
      } else if (wanted !== "new") {
        session = [...sessions.values()]
          .filter(
            (each) => each.name === name && each.kind === "shell" && each.owner.userId === principal.userId,
          )
          .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0];
      }
      session ??= await start(name, kind, size, principal, isPrivileged);
      if (session.ended) throw new AppError("CONFLICT", said("consoleSessionEnded", { name }));
      const ticket = tickets.issue(principal, name, { kind: "terminal", sessionId: session.id });
      return { sessionId: session.id, ticket, kind };
    },

    /** A ticket for a command streamed over the WebSocket (atelier exec). */
    openExec: async (
      {
        name,
        argv,
        user,
        timeoutSeconds,
      }: { name: string; argv: string[]; user?: string; timeoutSeconds?: number },
      principal: TPrincipal,
    ) => {
      const { isPrivileged } = await checkAccess(name, principal);
      const ticket = tickets.issue(principal, name, {
        kind: "exec",
        argv,
        user: user ?? "root",
        timeoutSeconds: timeoutSeconds ?? DEFAULT_EXEC_SECONDS,
        isPrivileged,
      });
      return { ticket };
    },

    checkAccess,

    /** The purpose of a ticket presented at the upgrade (used up), or null. */
    takeTicket: (ticket: string, principal: TPrincipal, name: string | null) =>
      tickets.take(ticket, principal, name),

    /** A WebSocket joins a session: repainted, then live; the first (or the same sign-in again) writes. */
    join: (sessionId: string, viewer: TViewer) => {
      const session = sessions.get(sessionId);
      // Its ticket came from console.open, which judged the viewer (checkAccess) a moment ago.
      if (!session || session.ended || (session.isPrivileged && viewer.principal.role !== "admin")) {
        viewer.send(json({ type: "end", reason: "gone" }));
        viewer.close(1000, "gone");
        return null;
      }
      const member: TMember = { ...viewer, lagging: false, isNew: true };
      let wantedSize: { cols: number; rows: number } | null = null;
      let resizeTimer: NodeJS.Timeout | null = null;
      let resizedAt = 0;
      session.viewers.add(member);
      armTimer(session);
      // The same sign-in coming back (a reload, a network that came back before the old socket was seen gone)
      // takes its place as the writer; anyone else watches until they take over.
      if (!session.writer || signInOf(session.writer.principal) === signInOf(viewer.principal)) {
        session.writer = member;
        announceRoles(session);
      }
      repaint(session, member);
      return {
        /** Keystrokes up; resolves once the helper took them (the socket stops reading while much is pending). */
        input: async (data: Buffer) => {
          if (session.ended || session.writer !== member) return;
          session.lastActivity = Date.now();
          session.pendingInput += data.length;
          const writes: Promise<void>[] = [];
          for (let at = 0; at < data.length; at += MAX_CHUNK_BYTES)
            writes.push(
              session.call
                .write({ type: "data", bytes: data.subarray(at, at + MAX_CHUNK_BYTES) })
                .catch(() => undefined),
            );
          await Promise.all(writes);
          session.pendingInput -= data.length;
        },
        pending: () => session.pendingInput,
        resize: (size: unknown) => {
          const parsed = ZTerminalSize.safeParse(size);
          if (session.ended || session.writer !== member || !parsed.success) return;
          // A window being dragged sends many: the first is applied at once, then the last one at most every
          // RESIZE_EVERY_MS.
          wantedSize = parsed.data;
          const apply = () => {
            const wanted = wantedSize;
            if (!wanted || session.ended) return;
            resizedAt = Date.now();
            if (wanted.cols === session.cols && wanted.rows === session.rows) return;
            session.cols = wanted.cols;
            session.rows = wanted.rows;
            session.screen.resize(session.cols, session.rows);
            void session.call.write({ type: "resize", ...wanted }).catch(() => undefined);
            for (const each of session.viewers)
              if (each !== member) each.send(json({ type: "size", cols: session.cols, rows: session.rows }));
          };
          if (resizeTimer) return;
          const wait = resizedAt + RESIZE_EVERY_MS - Date.now();
          if (wait <= 0) return apply();
          resizeTimer = setTimeout(() => {
            resizeTimer = null;
            apply();
          }, wait);
        },
        takeOver: () => {
          if (session.ended || session.writer === member) return;
          session.writer = member;
          announceRoles(session);
          void audit(member.principal, "console.takeover", session.name, {
            kind: session.kind,
            sessionId: session.id,
          });
        },
        leave: () => {
          session.viewers.delete(member);
          if (session.writer === member) {
            session.writer = null;
            announceRoles(session);
          }
          armTimer(session);
        },
      };
    },

    /** A container's open sessions, newest first. */
    list: async (name: string, principal: TPrincipal) => {
      const reachable = [];
      for (const session of sessions.values())
        if (session.name === name && (await mayReach(session, principal))) reachable.push(session);
      return reachable
        .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
        .map((session) => ({
          id: session.id,
          kind: session.kind,
          user: session.owner.username,
          startedAt: session.startedAt,
          idleSeconds: Math.floor((Date.now() - session.lastActivity) / 1000),
          writer: session.writer?.principal.username ?? null,
          watchers: [...session.viewers]
            .filter((viewer) => viewer !== session.writer)
            .map((viewer) => viewer.principal.username),
          isYours: session.owner.userId === principal.userId,
        }));
    },

    close: async (name: string, sessionId: string, principal: TPrincipal) => {
      const session = find(name, sessionId);
      if (!(await mayReach(session, principal)))
        throw new AppError("FORBIDDEN", said("consolePrivilegedAdminsOnly", { name }));
      end(session, { reason: "closed", by: principal.username });
    },

    /** Whether a viewer may still be one (checked again while its socket lives: a role taken away ends it). */
    mayView: async (sessionId: string, principal: TPrincipal) => {
      const session = sessions.get(sessionId);
      return !!session && isAtLeast(principal.role, "operator") && (await mayReach(session, principal));
    },

    /**
     * A running command's place (containers.exec, a streamed one): at most MAX_COMMANDS_PER_USER a user and
     * MAX_COMMANDS in all. Answers its release.
     */
    commandSlot: (principal: TPrincipal) => {
      const mine = commands.get(principal.userId) ?? 0;
      if (mine >= MAX_COMMANDS_PER_USER || commandCount >= MAX_COMMANDS)
        throw new AppError(
          "TOO_MANY_REQUESTS",
          said("consoleTooManyCommands", {
            max: mine >= MAX_COMMANDS_PER_USER ? MAX_COMMANDS_PER_USER : MAX_COMMANDS,
          }),
        );
      commands.set(principal.userId, mine + 1);
      commandCount += 1;
      let isReleased = false;
      return () => {
        if (isReleased) return;
        isReleased = true;
        commandCount -= 1;
        const left = (commands.get(principal.userId) ?? 1) - 1;
        if (left > 0) commands.set(principal.userId, left);
        else commands.delete(principal.userId);
      };
    },

    settings: settingsOf,
    setSettings: async (name: string, settings: TConsoleSettings) => {
      await db.consoleSetting.upsert({
        where: { container: name },
        create: { container: name, ...settings },
        update: settings,
      });
      return settings;
    },
    /** A destroyed or renamed container's settings go with it. */
    forget: async (name: string) => {
      await db.consoleSetting.deleteMany({ where: { container: name } });
    },

    /** How many sessions are open (the bench, the metrics). */
    count: () => sessions.size,

    stopAll: () => {
      for (const session of sessions.values()) end(session, { reason: "closed", by: "atelier" });
    },
  };
};

export type TConsoles = ReturnType<typeof createConsoles>;

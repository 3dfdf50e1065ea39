import type { IncomingMessage, ServerResponse } from "node:http";
import { principalOf } from "../auth/principal";
import type { TEvent } from "../events/bus";
import type { TRuntime } from "../runtime";

/**
 * GET /api/events: the live event stream (Server-Sent Events) for signed-in users of any role.
 *
 * - Each event is sent with its id; a client that reconnects with `Last-Event-ID` (browsers do it by themselves)
 *   gets exactly the events it missed, then the live ones, in order and without duplicates.
 * - When what it missed is no longer in the log (pruned) or is too much, it gets `event: reset`: refetch everything.
 * - A comment every 15 s keeps proxies from closing the stream; the credentials are checked again each time.
 * - At most MAX_STREAMS_PER_USER streams per user (429 beyond); a reader that lets more than MAX_BUFFERED bytes pile
 *   up is dropped, not buffered without end (a browser reconnects and catches up with Last-Event-ID).
 */
const REPLAY_LIMIT = 1000;
const HEARTBEAT_MS = 15_000;
export const MAX_STREAMS_PER_USER = 8;
const MAX_BUFFERED = 1024 * 1024;
const openStreams = new Map<number, number>();

const format = (event: TEvent) => `id: ${event.id}\nevent: atelier\ndata: ${JSON.stringify(event)}\n\n`;

export const handleEventStream = async (req: IncomingMessage, res: ServerResponse, runtime: TRuntime) => {
  const principal = await principalOf(runtime.accounts, req);
  if (!principal) {
    await runtime.anonymousRefusals.record(
      req.socket.remoteAddress ?? null,
      "GET /api/events",
      "UNAUTHORIZED",
    );
    res.writeHead(401, { "Content-Type": "application/json" });
    return res.end(JSON.stringify({ error: "Sign in first" }));
  }
  const open = openStreams.get(principal.userId) ?? 0;
  if (open >= MAX_STREAMS_PER_USER) {
    res.writeHead(429, { "Content-Type": "application/json" });
    return res.end(
      JSON.stringify({
        error: `You have ${open} live streams open, the most one user may: close a tab or window of Atelier`,
      }),
    );
  }
  openStreams.set(principal.userId, open + 1);
  let isCounted = true;
  // Registered first, so that a stream that fails while it starts is uncounted too.
  res.on("close", () => {
    if (!isCounted) return;
    isCounted = false;
    const count = (openStreams.get(principal.userId) ?? 1) - 1;
    if (count > 0) openStreams.set(principal.userId, count);
    else openStreams.delete(principal.userId);
  });
  const write = (chunk: string) => {
    if (res.destroyed) return;
    if (res.writableLength > MAX_BUFFERED) {
      res.destroy();
      return;
    }
    res.write(chunk);
  };
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
    Connection: "keep-alive",
  });
  write("retry: 2000\n\n");
  // The stream's id: pages name it when they say which metrics they show (metrics.current). Not an event: no id.
  const streamId = runtime.metrics.streams.open(principal.userId, write);
  write(`event: hello\ndata: ${JSON.stringify({ streamId })}\n\n`);

  let sentUpTo = 0;
  let isReplaying = true;
  const buffered: TEvent[] = [];
  const send = (event: TEvent) => {
    if (event.id <= sentUpTo) return;
    sentUpTo = event.id;
    write(format(event));
  };
  // Subscribe before reading the log, so that nothing published in between is lost.
  const unsubscribe = runtime.events.subscribe((event) => (isReplaying ? buffered.push(event) : send(event)));

  const header = req.headers["last-event-id"];
  const lastId = Number(Array.isArray(header) ? header[0] : header);
  const latestId = await runtime.events.latestId();
  if (Number.isInteger(lastId) && lastId >= 0 && header !== undefined) {
    const oldestId = await runtime.events.oldestId();
    const missed = await runtime.events.since(lastId, REPLAY_LIMIT + 1);
    const isGap =
      lastId > latestId || (oldestId !== null && oldestId > lastId + 1) || missed.length > REPLAY_LIMIT;
    if (isGap) {
      sentUpTo = latestId;
      write(`id: ${latestId}\nevent: reset\ndata: {}\n\n`);
    } else {
      for (const event of missed) send(event);
    }
  } else {
    // A new client starts from now; the id lets it resume from here if the connection drops.
    sentUpTo = latestId;
    write(`id: ${latestId}\nevent: ready\ndata: {}\n\n`);
  }
  isReplaying = false;
  for (const event of buffered.splice(0)) send(event);

  const heartbeat = setInterval(() => {
    void principalOf(runtime.accounts, req).then((principal) => {
      if (principal) write(": ping\n\n");
      else res.end();
    });
  }, HEARTBEAT_MS);
  const close = () => {
    clearInterval(heartbeat);
    unsubscribe();
    runtime.metrics.streams.close(streamId);
  };
  req.on("close", close);
  res.on("close", close);
};

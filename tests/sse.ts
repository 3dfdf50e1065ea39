import { request } from "node:http";

/** A minimal Server-Sent Events client for tests: collects events, waits for one, closes. */
export type TStreamEvent = { id: number | null; event: string; data: Record<string, unknown> };

export const openStream = (url: string, headers: Record<string, string>) =>
  new Promise<{
    status: number;
    events: TStreamEvent[];
    waitFor: (match: (event: TStreamEvent) => boolean, timeoutMs?: number) => Promise<TStreamEvent>;
    close: () => void;
  }>((resolve, reject) => {
    const events: TStreamEvent[] = [];
    const waiters = new Set<() => void>();
    const req = request(url, { headers: { accept: "text/event-stream", ...headers } }, (response) => {
      let buffer = "";
      response.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          const fields = Object.fromEntries(
            block
              .split("\n")
              .filter((line) => line && !line.startsWith(":"))
              .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
          ) as Record<string, string>;
          if (!fields.event) continue;
          events.push({
            id: fields.id ? Number(fields.id) : null,
            event: fields.event,
            data: JSON.parse(fields.data ?? "{}") as Record<string, unknown>,
          });
          for (const wake of waiters) wake();
        }
      });
      const waitFor = (match: (event: TStreamEvent) => boolean, timeoutMs = 20_000) =>
        new Promise<TStreamEvent>((done, fail) => {
          const check = () => {
            const found = events.find(match);
            if (!found) return false;
            waiters.delete(check);
            clearTimeout(timer);
            done(found);
            return true;
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            fail(
              new Error(
                `no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.event, e.data.type, e.data.container, e.data.state]))}`,
              ),
            );
          }, timeoutMs);
          if (!check()) waiters.add(check);
        });
      resolve({ status: response.statusCode ?? 0, events, waitFor, close: () => req.destroy() });
    });
    req.on("error", (error) => (error.message === "socket hang up" ? undefined : reject(error)));
    req.end();
  });

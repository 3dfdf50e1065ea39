import { WebSocket } from "ws";
import { expect } from "vitest";
import type { TRole } from "@/server/auth/roles";
import { callProcedure, type TRunningServer } from "./server";

/**
 * A client of the console's WebSocket (/api/console, docs/console.md) for the tests: what the terminal printed (as
 * text), the control frames it got, and the frames it sends, as the Shell tab and `atelier attach` do.
 */
export type TControl = { type: string; [key: string]: unknown };

export type TConsoleClient = {
  /** Everything printed so far (binary frames decoded; for an exec socket, each stream on its own). */
  text: () => string;
  stdout: () => string;
  stderr: () => string;
  controls: TControl[];
  /** Resolves once the printed text matches (or fails after `ms`). */
  waitFor: (pattern: RegExp, ms?: number) => Promise<string>;
  waitForControl: (type: string, ms?: number) => Promise<TControl>;
  /** Resolves once a role frame gave this viewer `role`. */
  waitForRole: (role: "writer" | "watcher", ms?: number) => Promise<TControl>;
  type: (text: string) => void;
  send: (control: TControl) => void;
  close: () => void;
  closed: Promise<{ code: number }>;
};

export type TUpgradeRefusal = { status: number; body: string };

const until = async <T>(check: () => T | undefined, ms: number, what: () => string): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * Opens the socket with a ticket as `as` (a token; null: no credentials), or with extra headers (a cookie, an
 * Origin). Resolves with the client once open, or with the HTTP refusal of the upgrade.
 */
export const connectConsole = (
  server: Pick<TRunningServer, "url" | "tokens">,
  ticket: string,
  {
    as = "operator",
    headers = {},
    name,
    url = server.url,
  }: { as?: TRole | null; headers?: Record<string, string>; name?: string; url?: string } = {},
) =>
  new Promise<TConsoleClient | TUpgradeRefusal>((resolve, reject) => {
    const query = new URLSearchParams({ ticket, ...(name ? { name } : {}) });
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/console?${query}`, {
      headers: { ...(as ? { authorization: `Bearer ${server.tokens[as]}` } : {}), ...headers },
      rejectUnauthorized: false,
    });
    const printed: Buffer[] = [];
    const streams = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const controls: TControl[] = [];
    let isExec = false;
    ws.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.on("error", reject);
    const closed = new Promise<{ code: number }>((done) => ws.on("close", (code) => done({ code })));
    const text = () => Buffer.concat(printed).toString("utf8");
    ws.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) {
        const control = JSON.parse(data.toString()) as TControl;
        controls.push(control);
        return;
      }
      // An exec socket's frames start with their stream's byte; a terminal's (after its hello) are the bytes.
      isExec = !controls.some((control) => control.type === "hello");
      if (isExec && (data[0] === 1 || data[0] === 2)) {
        (data[0] === 1 ? streams.stdout : streams.stderr).push(data.subarray(1));
        printed.push(data.subarray(1));
      } else printed.push(data);
    });
    ws.on("open", () => {
      resolve({
        text,
        stdout: () => Buffer.concat(streams.stdout).toString("utf8"),
        stderr: () => Buffer.concat(streams.stderr).toString("utf8"),
        controls,
        waitFor: (pattern, ms = 15_000) =>
          until(
            () => (pattern.test(text()) ? text() : undefined),
            ms,
            () => `${pattern} in ${JSON.stringify(text().slice(-500))}`,
          ),
        waitForControl: (type, ms = 15_000) =>
          until(
            () => controls.find((control) => control.type === type),
            ms,
            () => `a ${type} frame (got ${JSON.stringify(controls)})`,
          ),
        waitForRole: (role, ms = 15_000) =>
          until(
            () => controls.find((control) => control.type === "role" && control.role === role),
            ms,
            () => `a role frame making it ${role} (got ${JSON.stringify(controls)})`,
          ),
        type: (typed) => ws.send(Buffer.from(typed), { binary: true }),
        send: (control) => ws.send(JSON.stringify(control)),
        close: () => ws.close(),
        closed,
      });
    });
  });

export const isRefusal = (value: TConsoleClient | TUpgradeRefusal): value is TUpgradeRefusal =>
  "status" in value;

/** console.open as `as`, then its socket: the session's id and the open client. */
export const openTerminal = async (
  server: TRunningServer,
  input: { name: string; kind?: "shell" | "console"; session?: string; cols?: number; rows?: number },
  as: TRole = "operator",
) => {
  const opened = await callProcedure(
    server,
    "console.open",
    { kind: "shell", cols: 80, rows: 24, ...input },
    { as },
  );
  expect(opened.status, JSON.stringify(opened.error)).toBe(200);
  const { sessionId, ticket } = opened.data as { sessionId: string; ticket: string };
  const client = await connectConsole(server, ticket, { as });
  if (isRefusal(client)) throw new Error(`upgrade refused: ${client.status} ${client.body}`);
  await client.waitForControl("hello");
  return { sessionId, ticket, client };
};

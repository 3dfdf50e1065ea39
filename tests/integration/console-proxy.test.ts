import { request, type IncomingHttpHeaders } from "node:http";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { lxcState, uniqueName } from "../lxc-oracle";
import { startNginx, type TNginx } from "../nginx";
import { PASSWORD } from "../server";
import { openStream } from "../sse";
import { useServer } from "../use-server";

/**
 * The terminal and the event stream through a real reverse proxy: Debian's nginx on the namespace's loopback with
 * the lines of docs/usage.md (tests/nginx.ts), in front of Atelier as that section sets it up: on all addresses
 * (of the test's own namespace), HTTPS with its self-signed certificate, the proxy's public name in
 * ATELIER_ALLOWED_HOSTS. Clients speak to nginx only, by that name and the proxy's port, as a browser would.
 */
const PUBLIC_NAME = "atelier.test";
const server = useServer({
  scheme: "https",
  env: { HOST: "0.0.0.0", ATELIER_ALLOWED_HOSTS: PUBLIC_NAME },
});
let proxy: TNginx | undefined;
const started = () => {
  if (!proxy) throw new Error("nginx did not start");
  return proxy;
};
/** What the browser's address bar says, and so its Host and Origin. */
const host = () => `${PUBLIC_NAME}:${started().port}`;
const site = () => `http://${host()}`;

beforeAll(async () => {
  proxy = await startNginx(`https://127.0.0.1:${new URL(server.url).port}`);
});
afterAll(async () => {
  await proxy?.stop();
});

/** A request to nginx (127.0.0.1:port) addressed to the public name. */
const viaProxy = (
  pathname: string,
  {
    method = "GET",
    headers = {},
    body,
  }: { method?: string; headers?: Record<string, string>; body?: string } = {},
) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: started().port,
        path: pathname,
        method,
        headers: { host: host(), ...headers },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });

const call = async (
  procedure: string,
  input: unknown,
  headers: Record<string, string>,
  kind: "query" | "mutation" = "mutation",
) => {
  const envelope = JSON.stringify(superjson.serialize(input));
  const response =
    kind === "query"
      ? await viaProxy(`/api/trpc/${procedure}?input=${encodeURIComponent(envelope)}`, { headers })
      : await viaProxy(`/api/trpc/${procedure}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: envelope,
        });
  const parsed = JSON.parse(response.text) as {
    result?: { data: { json: unknown } };
    error?: { json: unknown };
  };
  return { ...response, data: parsed.result?.data.json, error: parsed.error?.json };
};

/** A script's credentials (no Origin: not a browser). */
const bearer = (role: "operator" | "viewer") => ({ authorization: `Bearer ${server.tokens[role]}` });

/** Signs in through the proxy as a browser does there: its session cookie and Origin. */
const browserSession = async () => {
  const signedIn = await call(
    "auth.signIn",
    { username: "operator", password: PASSWORD },
    { origin: site() },
  );
  expect(signedIn.status, signedIn.text).toBe(200);
  const cookie = (signedIn.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "";
  expect(cookie).toMatch(/=./);
  return { cookie, origin: site() };
};

/** A busybox container made and started through the proxy, with a script's token. */
const runningBusybox = async () => {
  const name = uniqueName("prx");
  server.made.push(name);
  const created = await call("containers.create", { name, rootfs: { kind: "busybox" } }, bearer("operator"));
  expect(created.status, created.text).toBe(200);
  const jobId = (created.data as { jobId: string }).jobId;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = (await call("jobs.get", { id: jobId }, bearer("viewer"), "query")).data as {
      state: string;
      log: string[];
    };
    if (job.state !== "running") {
      expect(job.state, job.log.slice(-10).join("\n")).toBe("succeeded");
      break;
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId} still running`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const start = await call("containers.start", { name }, bearer("operator"));
  expect(start.status, start.text).toBe(200);
  expect(await lxcState(name)).toBe("RUNNING");
  return name;
};

let container: Promise<string> | undefined;
/** One running container for the file's tests. */
const sharedContainer = () => (container ??= runningBusybox());

/** Opens the console WebSocket through the proxy; resolves once the upgrade is answered. */
const openSocket = (ticket: string, { cookie, origin }: { cookie: string; origin: string }) =>
  new Promise<{ socket: WebSocket; status: number }>((resolve, reject) => {
    const socket = new WebSocket(
      `ws://127.0.0.1:${started().port}/api/console?ticket=${encodeURIComponent(ticket)}`,
      { headers: { host: host(), cookie }, origin },
    );
    socket.once("upgrade", (response) => resolve({ socket, status: response.statusCode ?? 0 }));
    socket.once("unexpected-response", (_request, response) => {
      resolve({ socket, status: response.statusCode ?? 0 });
      response.resume();
    });
    socket.once("error", reject);
  });

describe("the terminal through nginx", () => {
  it("a browser session's shell through the proxy answers 42 to echo $((6*7))", async () => {
    const name = await sharedContainer();
    const session = await browserSession();
    const opened = await call(
      "console.open",
      { name, kind: "shell", cols: 80, rows: 24 },
      { cookie: session.cookie, origin: session.origin },
    );
    expect(opened.status, opened.text).toBe(200);
    const { ticket, sessionId } = opened.data as { ticket: string; sessionId: string };

    let output = "";
    const texts: Record<string, unknown>[] = [];
    const { socket, status } = await openSocket(ticket, session);
    expect(status, `${await started().errors()}\n${server.output().slice(-4000)}`).toBe(101);
    try {
      const answered = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no 42 within 20 s; frames ${JSON.stringify(texts)}; output ${JSON.stringify(output)}`,
              ),
            ),
          20_000,
        );
        let typed = false;
        socket.on("message", (data: Buffer, isBinary: boolean) => {
          if (!isBinary) {
            const frame = JSON.parse(data.toString()) as Record<string, unknown>;
            texts.push(frame);
            // The hello comes first: the shell is ours to type in.
            if (frame.type === "hello" && !typed) {
              typed = true;
              expect(frame).toMatchObject({ kind: "shell", name, role: "writer" });
              socket.send(Buffer.from("echo $((6*7))\r"));
            }
            return;
          }
          output += data.toString();
          // The answer on a line of its own (the echoed command line holds "6*7", not "42").
          if (/(^|\n)42\r*\n/.test(output)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await answered;
    } finally {
      socket.terminate();
      await call("console.close", { name, sessionId }, { cookie: session.cookie, origin: session.origin });
    }
  });

  it("refuses through the proxy an upgrade a page of another site asks for (the Origin reaches Atelier)", async () => {
    const name = await sharedContainer();
    const session = await browserSession();
    const opened = await call(
      "console.open",
      { name, kind: "shell", session: "new", cols: 80, rows: 24 },
      { cookie: session.cookie, origin: session.origin },
    );
    expect(opened.status, opened.text).toBe(200);
    const { ticket, sessionId } = opened.data as { ticket: string; sessionId: string };
    const { socket, status } = await openSocket(ticket, {
      cookie: session.cookie,
      origin: "http://evil.example",
    });
    socket.terminate();
    expect(status).toBe(403);
    await call("console.close", { name, sessionId }, { cookie: session.cookie, origin: session.origin });
  });
});

describe("the event stream through nginx", () => {
  it("passes an event as it happens", async () => {
    const name = await sharedContainer();
    const stream = await openStream(`${started().url}/api/events`, { host: host(), ...bearer("viewer") });
    try {
      expect(stream.status).toBe(200);
      const stopped = await call("containers.stop", { name, force: true }, bearer("operator"));
      expect(stopped.status, stopped.text).toBe(200);
      // A buffering proxy holds small events back until its buffer fills or the stream ends. Atelier's stream also
      // says X-Accel-Buffering: no, which nginx obeys even without the documented proxy_buffering off.
      await stream.waitFor(
        (event) =>
          event.data.type === "state" && event.data.container === name && event.data.state === "STOPPED",
        5_000,
      );
    } finally {
      stream.close();
    }
  });
});

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { TRole } from "@/server/auth/roles";
import type { TRunningServer } from "./server";

/**
 * The streaming file routes as a client uses them (GET and PUT /api/containers/NAME/files, docs/api.md): node's own
 * http(s) client, so that a body is streamed with the Content-Length the route requires and a download is read at
 * the client's pace (a self-signed certificate is taken: the tests' and the bench's own server).
 */
type TTarget = Pick<TRunningServer, "url" | "tokens">;

const filesUrl = (server: TTarget, name: string, guestPath: string, extra = "") =>
  new URL(
    `${server.url}/api/containers/${encodeURIComponent(name)}/files?path=${encodeURIComponent(guestPath)}${extra}`,
  );

const requestOf = (url: URL) => (url.protocol === "https:" ? https.request : http.request);

export type TDownload = {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body's bytes (kept only with `keep`; else empty). */
  body: Buffer;
  bytes: number;
  sha256: string;
  /** The body ended cleanly (false: the server cut it off). */
  isComplete: boolean;
  trailers: NodeJS.Dict<string>;
};

/** GET a file or a directory's tar; the body hashed as it comes (kept too with `keep`). */
export const download = (
  server: TTarget,
  name: string,
  guestPath: string,
  {
    as = "operator",
    keep = true,
    onChunk,
  }: { as?: TRole | null; keep?: boolean; onChunk?: (bytes: number) => void } = {},
) =>
  new Promise<TDownload>((resolve, reject) => {
    const url = filesUrl(server, name, guestPath);
    const request = requestOf(url)(url, {
      headers: as ? { authorization: `Bearer ${server.tokens[as]}` } : {},
      rejectUnauthorized: false,
    });
    request.on("error", reject);
    request.on("response", (response) => {
      const hash = createHash("sha256");
      const chunks: Buffer[] = [];
      let bytes = 0;
      let isComplete = false;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
        if (keep) chunks.push(chunk);
        onChunk?.(bytes);
      });
      response.on("end", () => (isComplete = true));
      response.on("error", () => undefined);
      response.on("close", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          bytes,
          sha256: hash.digest("hex"),
          isComplete: isComplete && response.complete,
          trailers: response.trailers,
        }),
      );
    });
    request.end();
  });

/** A download's body as JSON (a refusal's answer). */
export const jsonOf = (answer: { body: Buffer }) => JSON.parse(answer.body.toString("utf8")) as unknown;

export type TUpload = { status: number; json: unknown };

/**
 * PUT a body (bytes, or a stream of `size` bytes) to a path; `headers` replace the defaults (say, no
 * Content-Length); `signal` aborts the request mid-way.
 */
export const upload = (
  server: TTarget,
  name: string,
  guestPath: string,
  body: Buffer | Readable,
  {
    as = "operator",
    size = Buffer.isBuffer(body) ? body.length : undefined,
    mode,
    headers = {},
    signal,
  }: {
    as?: TRole | null;
    /** null: no Content-Length at all. */
    size?: number | null;
    mode?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
) =>
  new Promise<TUpload>((resolve, reject) => {
    const url = filesUrl(server, name, guestPath, mode === undefined ? "" : `&mode=${mode}`);
    const request = requestOf(url)(url, {
      method: "PUT",
      headers: {
        ...(as ? { authorization: `Bearer ${server.tokens[as]}` } : {}),
        "content-type": "application/octet-stream",
        ...(size === undefined || size === null ? {} : { "content-length": String(size) }),
        ...headers,
      },
      rejectUnauthorized: false,
      ...(signal ? { signal } : {}),
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          // Not JSON: kept as text.
        }
        resolve({ status: response.statusCode ?? 0, json });
      });
    });
    request.on("error", reject);
    if (Buffer.isBuffer(body)) request.end(body);
    else
      pipeline(body, request).catch(() => {
        // The request's own error (or its answer) settles the promise.
      });
  });

/** `size` bytes of a repeatable pseudo-random pattern, streamed in 1 MiB chunks, with the sha256 they make. */
export const patternStream = (size: number, seed = 1) => {
  const block = Buffer.alloc(1024 * 1024);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < block.length; index += 4) {
    // xorshift32: data that no layer compresses away.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    block.writeUInt32LE(state >>> 0, index);
  }
  const hash = createHash("sha256");
  for (let left = size; left > 0; left -= block.length)
    hash.update(block.subarray(0, Math.min(left, block.length)));
  const sha256 = hash.digest("hex");
  const stream = () =>
    Readable.from(
      (function* () {
        for (let left = size; left > 0; left -= block.length)
          yield block.subarray(0, Math.min(left, block.length));
      })(),
      { objectMode: false },
    );
  return { sha256, stream };
};

/** A process's resident memory now and at its peak, in bytes (/proc/PID/status VmRSS and VmHWM). */
export const memoryOf = async (pid: number) => {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
};

/** Samples a process's RSS every `everyMs` until stopped: the largest seen. */
export const sampleRss = (pid: number, everyMs = 100) => {
  let peak = 0;
  const timer = setInterval(() => {
    void memoryOf(pid)
      .then(({ rss }) => (peak = Math.max(peak, rss)))
      .catch(() => undefined);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
};

import { existsSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openStream } from "../sse";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { createBusybox, configOf } from "./helpers";

/**
 * Nobody slows the panel down for everyone: request bodies, config texts, live streams and uploads are bounded,
 * and what crosses a bound is refused with a status that says which (413, 400, 429, 411, 507).
 */
// Uploads limited to 1024 TiB: more than any disk here, so that "no room" is reachable below the limit.
const server = useServer({ env: { ATELIER_UPLOAD_MAX_BYTES: "1024T" } });

const send = (
  pathname: string,
  {
    headers = {},
    chunks = [] as Buffer[],
    method = "POST",
  }: { headers?: Record<string, string>; chunks?: Buffer[]; method?: string },
) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(new URL(`${server.url}${pathname}`), { method, headers }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    // The server may answer and close before the whole body is sent: an answer already read stands, and a reset
    // before any answer settles the call too (no test waits for its timeout).
    req.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "EPIPE" || error.code === "ECONNRESET"
        ? resolve({ status: -1, text: error.code })
        : reject(error),
    );
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
const auth = () => ({
  authorization: `Bearer ${server.tokens.operator}`,
  "content-type": "application/json",
});

describe("bounds", () => {
  it("refuses API bodies over 1 MiB, announced or chunked (413)", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, "a");
    const announced = await send("/api/trpc/containers.start", {
      headers: { ...auth(), "content-length": String(big.length) },
      chunks: [big],
    });
    expect(announced.status).toBe(413);
    const chunked = await send("/api/trpc/containers.start", {
      headers: auth(),
      chunks: Array.from({ length: 32 }, () => Buffer.alloc(64 * 1024, "a")),
    });
    expect(chunked.status).toBe(413);
  });

  it("refuses config texts with a line or a line count past the bounds (400 naming raw)", async () => {
    const name = await createBusybox(server);
    const config = await configOf(server, name);
    for (const raw of [`${config.raw}# ${"x".repeat(5000)}\n`, `${config.raw}${"#\n".repeat(10_001)}`]) {
      const response = await callProcedure(server, "config.save", { name, raw, baseVersion: config.version });
      expect(response.status).toBe(400);
      expect(response.error?.data.field).toBe("raw");
    }
  });

  it("gives one user at most 8 live streams (429 beyond), and frees a place when one closes", async () => {
    const headers = { authorization: `Bearer ${server.tokens.viewer}` };
    const streams = await Promise.all(
      Array.from({ length: 8 }, () => openStream(`${server.url}/api/events`, headers)),
    );
    expect(streams.map((stream) => stream.status)).toEqual(Array(8).fill(200));
    const ninth = await openStream(`${server.url}/api/events`, headers);
    expect(ninth.status).toBe(429);
    ninth.close();
    // Another user is not affected.
    const other = await openStream(`${server.url}/api/events`, {
      authorization: `Bearer ${server.tokens.admin}`,
    });
    expect(other.status).toBe(200);
    other.close();
    streams[0]?.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await openStream(`${server.url}/api/events`, headers);
    expect(again.status).toBe(200);
    again.close();
    for (const stream of streams) stream.close();
  });

  it("takes an upload only with its size announced, within the limit and the free space (411, 413, 507)", async () => {
    // Headers only, on a raw socket: the answer must come before any of the (announced) body is sent.
    const upload = (headers: string[]) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const { port } = new URL(server.url);
        const socket = connect(Number(port), "127.0.0.1", () => {
          socket.write(
            [
              "POST /api/uploads/rootfs?filename=x.tar HTTP/1.1",
              "Host: 127.0.0.1",
              `Authorization: Bearer ${server.tokens.operator}`,
              "Connection: close",
              ...headers,
              "",
              "",
            ].join("\r\n"),
          );
        });
        let text = "";
        socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
        socket.on("error", reject);
        socket.on("close", () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), text }));
        socket.setTimeout(10_000, () => socket.destroy());
      });
    expect((await upload(["Transfer-Encoding: chunked"])).status).toBe(411);
    expect((await upload([`Content-Length: ${2 ** 51}`])).status).toBe(413);
    const full = await upload([`Content-Length: ${2 ** 49}`]);
    expect(full.status).toBe(507);
    expect(full.text).toMatch(/free/);
  });

  it("removes uploads left for more than a day, at start", async () => {
    const dir = process.env.ATELIER_IMPORT_DIRS?.split(":")[0] ?? "";
    const stale = path.join(dir, "upload-0123abcd-old.tar");
    const fresh = path.join(dir, "upload-4567cdef-new.tar");
    const theirs = path.join(dir, "an-admins-archive.tar");
    for (const file of [stale, fresh, theirs]) await writeFile(file, "x");
    const dayAndAHourAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await utimes(stale, dayAndAHourAgo, dayAndAHourAgo);
    await utimes(theirs, dayAndAHourAgo, dayAndAHourAgo);
    await server.restart();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(theirs)).toBe(true);
  });
});

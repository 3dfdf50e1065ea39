import type { IncomingMessage, ServerResponse } from "node:http";
import { principalOf } from "../auth/principal";
import type { TPrincipal } from "../auth/principal.types";
import { isAtLeast, type TRole } from "../auth/roles";
import { AppError, isAppError, said, type TAppErrorCode } from "../errors";
import { readAsOf, ticketOf } from "../files";
import { MAX_CHUNK_BYTES } from "../helper/contract/define";
import type { TRuntime } from "../runtime";
import { ZContainerName } from "../schemas/container-name";
import { ZFileMode, ZGuestPath } from "../schemas/files";

/**
 * Files of a container streamed over plain HTTP (issue #26, docs/api.md "Files"), for what is too large for tRPC:
 *
 * - `GET /api/containers/NAME/files?path=P` (viewers and up): a regular file as application/octet-stream with its
 *   Content-Length, or a directory as a tar stream (BASENAME.tar), both as attachments. The helper's files.download
 *   or files.tar items are written to the response as they come, and the helper is credited only once the socket
 *   took them: a slow client slows the helper down, nothing piles up here. A client that goes away cancels the call.
 * - `PUT /api/containers/NAME/files?path=P[&mode=644]` (operators and admins; same-origin rules as every mutation,
 *   applied before dispatch): the body, whose size must be announced, goes up to the helper's files.upload in chunks
 *   of at most 64 KiB, each sent once the helper has room for it (the request is read no faster). The helper writes
 *   a temporary file and renames it only when exactly the announced bytes arrived: a client that goes away leaves
 *   nothing at the name. Answers the new entry; audited as `files.upload` (the path and size, never the bytes).
 */

/** The HTTP statuses of the domain's error codes (as server/trpc/errors.ts maps them for tRPC). */
const STATUS: Record<TAppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  TOO_MANY_REQUESTS: 429,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  TIMEOUT: 504,
  LXC_UNAVAILABLE: 503,
  LXC_FAILED: 500,
  INTERNAL: 500,
};

/** Refusals: the upload never began, so no event (they are still audited). */
const REFUSALS = new Set<TAppErrorCode>(["UNAUTHORIZED", "FORBIDDEN", "BAD_REQUEST", "TOO_MANY_REQUESTS"]);

type TWords = { id?: string; params?: Record<string, unknown>; message: string; hint?: string };

const send = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
  res.writeHead(status, { "Content-Type": "application/json", ...extra });
  res.end(JSON.stringify(body));
};

/** A refusal: `error` in English (scripts), with the catalogue's sentence and values the pages word it from. */
const refuse = (res: ServerResponse, status: number, words: TWords, extra: { field?: string } = {}) =>
  send(
    res,
    status,
    { error: words.message, ...extra, messageId: words.id, params: words.params, hint: words.hint },
    // The rest of a refused upload is not read: the connection goes with the answer.
    res.req.method === "PUT" ? { Connection: "close" } : {},
  );

/** A domain error as an answer; anything else is thrown on (the dispatcher logs it and answers 500). */
const refuseError = (res: ServerResponse, error: unknown) => {
  if (!isAppError(error)) throw error;
  return refuse(res, STATUS[error.code], error, error.field ? { field: error.field } : {});
};

/** The caller, with at least `minimum`'s role; else the refusal is sent and null returned. */
const callerOf = async (
  req: IncomingMessage,
  res: ServerResponse,
  runtime: TRuntime,
  route: string,
  minimum: TRole,
): Promise<TPrincipal | null> => {
  const principal = await principalOf(runtime.accounts, req);
  if (!principal) {
    await runtime.anonymousRefusals.record(req.socket.remoteAddress ?? null, route, "UNAUTHORIZED");
    refuse(res, 401, said("signInFirst"));
    return null;
  }
  if (!isAtLeast(principal.role, minimum)) {
    refuse(res, 403, said("roleTooLow", { minimum, role: principal.role }));
    return null;
  }
  return principal;
};

/** The container's name and the path in it, checked with the schemas tRPC uses; else the refusal is sent. */
const targetOf = (res: ServerResponse, params: Record<string, string>, url: URL) => {
  const name = ZContainerName.safeParse(params.name);
  if (!name.success) {
    refuse(res, 400, { message: `name: ${name.error.issues[0]?.message ?? "invalid"}` }, { field: "name" });
    return null;
  }
  const path = ZGuestPath.safeParse(url.searchParams.get("path") ?? "");
  if (!path.success) {
    refuse(res, 400, { message: `path: ${path.error.issues[0]?.message ?? "invalid"}` }, { field: "path" });
    return null;
  }
  return { name: name.data, path: path.data };
};

/**
 * A file name a browser saves safely: the last component, reduced to printable ASCII without quotes, slashes or
 * backslashes (`filename`), and the original in `filename*` (RFC 6266, percent-encoded UTF-8).
 */
export const contentDisposition = (fileName: string) => {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\/%;]/g, "_").trim() || "download";
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
};

/**
 * Writes to a response with back-pressure: the promise returned (while the socket's buffer is full) settles once it
 * drained, or the client went away. One promise for all the writers waiting, not a listener each.
 */
const writerOf = (res: ServerResponse) => {
  let waiting: Promise<void> | null = null;
  return (chunk: Buffer) => {
    if (res.destroyed) return undefined;
    if (res.write(chunk) && !waiting) return undefined;
    waiting ??= new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        waiting = null;
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
    });
    return waiting;
  };
};

/** Aborted when the client goes away before the answer is complete. */
const abortOnClose = (req: IncomingMessage, res: ServerResponse) => {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.on("close", onClose);
  req.on("aborted", () => controller.abort());
  return controller.signal;
};

export const handleFileDownload = async (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  runtime: TRuntime,
) => {
  const principal = await callerOf(req, res, runtime, "GET /api/containers/:name/files", "viewer");
  if (!principal) return;
  const target = targetOf(res, params, new URL(req.url ?? "/", "http://localhost"));
  if (!target) return;
  const input = { ...target, readAs: readAsOf(principal) };
  const files = runtime.helper.files;
  let entry;
  try {
    entry = await files.stat(input);
  } catch (error) {
    return refuseError(res, error);
  }
  if (entry.kind !== "file" && entry.kind !== "directory")
    return refuse(res, 400, said("fileNotDownloadable", { path: target.path, kind: entry.kind }));
  const signal = abortOnClose(req, res);
  const write = writerOf(res);
  const isDirectory = entry.kind === "directory";
  const baseName = target.path === "/" ? target.name : entry.name;
  // Status and headers go only with the first bytes (or the end), so a refusal before them is still an answer.
  let isStarted = false;
  const start = () => {
    if (isStarted) return;
    isStarted = true;
    res.writeHead(200, {
      "Content-Type": isDirectory ? "application/x-tar" : "application/octet-stream",
      "Content-Disposition": contentDisposition(isDirectory ? `${baseName}.tar` : baseName),
      "X-Content-Type-Options": "nosniff",
      ...(isDirectory ? { Trailer: "X-Atelier-Skipped" } : { "Content-Length": String(entry.size) }),
    });
  };
  // A file that grows between the stat and the read is sent up to the announced length, and the answer is cut off
  // (a shorter one too): a client never takes a changed file for a complete one.
  let sent = 0;
  const onItem = (chunk: Buffer) => {
    start();
    if (isDirectory) return write(chunk);
    const room = entry.size - sent;
    if (room <= 0) return undefined;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    sent += part.length;
    return write(part);
  };
  try {
    if (isDirectory) {
      const { skipped } = await files.tar(input, { signal, onItem });
      start();
      res.addTrailers({ "X-Atelier-Skipped": String(skipped) });
    } else {
      const { bytes } = await files.download(input, { signal, onItem });
      start();
      if (bytes !== entry.size || sent !== entry.size) return res.destroy();
    }
  } catch (error) {
    if (signal.aborted) return res.destroy();
    if (isStarted) {
      runtime.log.warn("a file download failed after it began", { error: (error as Error).message });
      return res.destroy();
    }
    return refuseError(res, error);
  }
  res.end();
};

/** `mode=644` (octal, 3 or 4 digits), or undefined when absent. */
const modeOf = (res: ServerResponse, url: URL): { mode?: number } | null => {
  const text = url.searchParams.get("mode");
  if (text === null) return {};
  const mode = /^[0-7]{3,4}$/.test(text) ? ZFileMode.safeParse(Number.parseInt(text, 8)) : null;
  if (!mode?.success) {
    refuse(res, 400, said("fileModeInvalid", { mode: text.slice(0, 20) }), { field: "mode" });
    return null;
  }
  return { mode: mode.data };
};

export const handleFileUpload = async (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  runtime: TRuntime,
) => {
  const principal = await callerOf(req, res, runtime, "PUT /api/containers/:name/files", "operator");
  if (!principal) return;
  const url = new URL(req.url ?? "/", "http://localhost");
  const target = targetOf(res, params, url);
  if (!target) return;
  const mode = modeOf(res, url);
  if (!mode) return;
  const header = req.headers["content-length"];
  const size = Number(header);
  if (header === undefined || !Number.isSafeInteger(size) || size < 0)
    return refuse(res, 411, said("fileUploadLengthRequired"));
  const maxBytes = runtime.settings.uploadMaxBytes;
  if (size > maxBytes) return refuse(res, 413, said("fileUploadTooLarge", { length: size, maxBytes }));

  const audit = (error: unknown) =>
    runtime.db.auditEntry
      .create({
        data: {
          actor: principal.username,
          via: principal.via,
          action: "files.upload",
          target: target.name,
          input: JSON.stringify({ path: target.path, size, ...mode }),
          result: error ? "error" : "ok",
          error: error ? `${isAppError(error) ? error.code : "INTERNAL"}: ${(error as Error).message}` : null,
          errorWords:
            isAppError(error) && error.id
              ? JSON.stringify({ id: `errors.${error.id}.message`, params: error.params ?? {} })
              : null,
          clientAddress: req.socket.remoteAddress ?? null,
        },
      })
      .catch((failure: unknown) => runtime.log.error("audit entry could not be written", { error: failure }))
      .then(() => {
        // An event too, as the files router's changes are (server/trpc/procedures.ts); not for a refusal.
        if (isAppError(error) && REFUSALS.has(error.code)) return;
        void runtime.events.publish({
          type: "operation",
          container: target.name,
          actor: principal.username,
          data: {
            action: "files.upload",
            path: target.path,
            // No reason in the event (as for the files router's: server/trpc/procedures.ts); the audit keeps it.
            result: error ? "error" : "ok",
          },
        });
      });

  const signal = abortOnClose(req, res);
  const call = runtime.helper.files.upload({ ...target, size, ...mode, ...ticketOf(principal) }, { signal });
  // The request's chunks (16 KiB TLS records, say) gathered into full chunks for the helper: fewer, larger messages.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let received = 0;
  const flush = async (all: boolean) => {
    while (pendingBytes >= MAX_CHUNK_BYTES || (all && pendingBytes > 0)) {
      const joined = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
      const chunk = joined.subarray(0, MAX_CHUNK_BYTES);
      const rest = joined.subarray(chunk.length);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
      await call.write(chunk);
    }
  };
  try {
    // Read one chunk at a time, the next only once the helper took the last: the request waits in the kernel.
    for await (const chunk of req as AsyncIterable<Buffer>) {
      received += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      await flush(false);
    }
    if (received !== size)
      throw new AppError("BAD_REQUEST", said("fileUploadIncomplete", { received, size }));
    await flush(true);
    call.end();
    const entry = await call.result;
    await audit(null);
    return send(res, 200, entry);
  } catch (caught) {
    call.cancel();
    // A write refused because the call ended: the helper's own answer says why.
    const error = await call.result.then(
      () => caught,
      (failure: unknown) => (isAppError(caught) && caught.code === "BAD_REQUEST" ? caught : failure),
    );
    await audit(error);
    if (signal.aborted || res.destroyed) return res.destroy();
    return refuseError(
      res,
      isAppError(error)
        ? error
        : new AppError("BAD_REQUEST", said("fileUploadIncomplete", { received, size })),
    );
  }
};

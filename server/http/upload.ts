import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm, statfs } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { principalOf } from "../auth/principal";
import { isAtLeast } from "../auth/roles";
import { said } from "../errors";
import { uploadSpoolOf } from "../layout";
import type { TRuntime } from "../runtime";

/**
 * `POST /api/uploads/rootfs?filename=NAME`: a root filesystem archive streamed from the browser into the web tier's
 * spool (web/uploads), then handed over to the helper, which copies it into the first import directory (root's:
 * server/helper/operations/upload.ts); operators only, same-origin rules as every mutation. The name is reduced to
 * safe characters and prefixed with a random part, so nothing existing is overwritten; the upload is an audit
 * entry. The answer is the path to give `containers.create`'s `rootfs.path`.
 *
 * Bounded: the size must be announced (Content-Length) and at most ATELIER_UPLOAD_MAX_BYTES (413), and the import
 * directory's filesystem must have room for it (507), twice over (spool and import directory). An uploaded archive is
 * removed once a creation used it (the helper's upload.remove), or after a day (upload.prune).
 */
const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

/** A refusal: `error` in English (scripts), with the catalogue's sentence and values the pages word it from. */
const refuse = (
  res: ServerResponse,
  status: number,
  { id, params, message }: ReturnType<typeof said>,
  extra: { field?: string } = {},
) => send(res, status, { error: message, ...extra, messageId: id, params });

export const handleUpload = async (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  runtime: TRuntime,
) => {
  const principal = await principalOf(runtime.accounts, req);
  if (!principal) {
    await runtime.anonymousRefusals.record(
      req.socket.remoteAddress ?? null,
      "POST /api/uploads/rootfs",
      "UNAUTHORIZED",
    );
    return refuse(res, 401, said("signInFirst"));
  }
  if (!isAtLeast(principal.role, "operator"))
    return refuse(res, 403, said("roleTooLow", { minimum: "operator", role: principal.role }));
  const original = url.searchParams.get("filename") ?? "";
  if (!/\.(tar|tar\.gz|tgz|tar\.xz|txz)$/.test(original))
    return refuse(res, 400, said("uploadNotAnArchive"), { field: "filename" });
  const maxBytes = runtime.settings.uploadMaxBytes;
  const header = req.headers["content-length"];
  const length = Number(header);
  if (header === undefined || !Number.isSafeInteger(length) || length < 0)
    return refuse(res, 411, said("uploadLengthRequired"));
  if (length > maxBytes) return refuse(res, 413, said("uploadTooLarge", { length, maxBytes }));
  if (!runtime.settings.importDirs[0]) return refuse(res, 500, said("uploadNoImportDir"));
  const dir = uploadSpoolOf(runtime.settings.dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const space = await statfs(dir);
  const free = space.bavail * space.bsize;
  if (free < length * 2) return refuse(res, 507, said("uploadNoSpace", { free, length }));
  const safe = path
    .basename(original)
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(-100);
  const target = path.join(dir, `upload-${randomBytes(4).toString("hex")}-${safe}`);
  let received = 0;
  req.on("data", (chunk: Buffer) => {
    received += chunk.length;
    // A client that sends more than it announced is cut off.
    if (received > length) req.destroy(new Error("more bytes than Content-Length announced"));
  });
  let adopted: { path: string; bytes: number };
  try {
    await pipeline(req, createWriteStream(target, { flags: "wx", mode: 0o600 }));
  } catch (error) {
    await rm(target, { force: true });
    return refuse(res, 400, said("uploadIncomplete", { reason: (error as Error).message }));
  }
  try {
    adopted = await runtime.helper.upload.adopt({ name: path.basename(target) });
  } finally {
    await rm(target, { force: true });
  }
  await runtime.db.auditEntry.create({
    data: {
      actor: principal.username,
      via: principal.via,
      action: "uploads.rootfs",
      target: path.basename(adopted.path),
      input: JSON.stringify({ filename: original.slice(0, 200), bytes: received }),
      result: "ok",
      error: null,
      clientAddress: req.socket.remoteAddress ?? null,
    },
  });
  return send(res, 200, { path: adopted.path, bytes: received });
};

import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { principalOf } from "../auth/principal";
import { isAtLeast } from "../auth/roles";
import type { TRuntime } from "../runtime";

/**
 * `POST /api/uploads/rootfs?filename=NAME`: a root filesystem archive streamed from the browser into the first
 * import directory (operators; same-origin rules as every mutation), for the wizard's tarball provider. The name is
 * reduced to safe characters and prefixed with a random part, so nothing existing is overwritten; the upload is an
 * audit entry. The answer is the path to give `containers.create`'s `rootfs.path`.
 */
const MAX_BYTES = 64 * 1024 ** 3;
const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

export const handleUpload = async (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  runtime: TRuntime,
) => {
  const principal = await principalOf(runtime.accounts, req);
  if (!principal) return send(res, 401, { error: "Sign in first" });
  if (!isAtLeast(principal.role, "operator"))
    return send(res, 403, { error: `This needs the operator role; you are ${principal.role}` });
  const original = url.searchParams.get("filename") ?? "";
  if (!/\.(tar|tar\.gz|tgz|tar\.xz|txz)$/.test(original))
    return send(res, 400, {
      error: "filename: must be a .tar, .tar.gz, .tgz or .tar.xz file",
      field: "filename",
    });
  const length = Number(req.headers["content-length"] ?? "0");
  if (length > MAX_BYTES) return send(res, 413, { error: "The archive is larger than 64 GiB" });
  const dir = runtime.settings.importDirs[0];
  if (!dir) return send(res, 500, { error: "No import directory is set (ATELIER_IMPORT_DIRS)" });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const safe = path
    .basename(original)
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(-100);
  const target = path.join(dir, `upload-${randomBytes(4).toString("hex")}-${safe}`);
  let received = 0;
  req.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_BYTES) req.destroy(new Error("too large"));
  });
  try {
    await pipeline(req, createWriteStream(target, { flags: "wx", mode: 0o600 }));
  } catch (error) {
    await rm(target, { force: true });
    return send(res, 400, { error: `The upload did not complete: ${(error as Error).message}` });
  }
  await runtime.db.auditEntry.create({
    data: {
      actor: principal.username,
      via: principal.via,
      action: "uploads.rootfs",
      target: path.basename(target),
      input: JSON.stringify({ filename: original.slice(0, 200), bytes: received }),
      result: "ok",
      error: null,
      clientAddress: req.socket.remoteAddress ?? null,
    },
  });
  return send(res, 200, { path: target, bytes: received });
};

import type { TPrincipal } from "../auth/principal.types";
import type { THelper } from "../helper-client";
import { MAX_CHUNK_BYTES } from "../helper/contract/define";
import { DEFAULT_EXEC_SECONDS, MAX_EXEC_OUTPUT_BYTES } from "../schemas/console";

/**
 * Commands in a running container (the helper's console.exec: lxc-attach --clear-env -- ARGV): to their end with
 * bounded output (containers.exec), or streamed both ways over a WebSocket (atelier exec).
 */

type TExecRequest = { name: string; argv: string[]; user?: string; timeoutSeconds?: number };

const inputOf = (request: TExecRequest, principal: TPrincipal, stdin: boolean) => ({
  name: request.name,
  argv: request.argv,
  user: request.user ?? "root",
  stdin,
  timeoutSeconds: request.timeoutSeconds ?? DEFAULT_EXEC_SECONDS,
  ...(principal.adminTicket ? { ticket: principal.adminTicket } : {}),
});

/** Keeps the first MAX_EXEC_OUTPUT_BYTES of a stream and counts the rest. */
const bounded = () => {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  return {
    add: (chunk: Buffer) => {
      total += chunk.length;
      const room = MAX_EXEC_OUTPUT_BYTES - kept;
      if (room <= 0) return;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(part);
      kept += part.length;
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
    isTruncated: () => total > kept,
    total: () => total,
  };
};

/** Runs a command to its end: exit code, stdout and stderr (at most 1 MiB each, the rest counted). */
export const runExec = async (
  helper: THelper,
  request: TExecRequest & { stdin?: string },
  principal: TPrincipal,
  /** The caller went away: the command is stopped rather than left to run to its timeout. */
  signal?: AbortSignal,
) => {
  const stdout = bounded();
  const stderr = bounded();
  const call = helper.console.exec(inputOf(request, principal, request.stdin !== undefined), {
    onItem: ({ stream, bytes }) => (stream === "stdout" ? stdout : stderr).add(bytes),
    ...(signal ? { signal } : {}),
  });
  if (request.stdin !== undefined) {
    const input = Buffer.from(request.stdin);
    // Each write waits for the helper's credit; a command that does not read its stdin ends at its timeout.
    void (async () => {
      for (let at = 0; at < input.length; at += MAX_CHUNK_BYTES)
        await call.write(input.subarray(at, at + MAX_CHUNK_BYTES));
      call.end();
    })().catch(() => undefined);
  }
  const end = await call.result;
  return {
    ...end,
    stdout: stdout.text(),
    stderr: stderr.text(),
    stdoutBytes: stdout.total(),
    stderrBytes: stderr.total(),
    stdoutTruncated: stdout.isTruncated(),
    stderrTruncated: stderr.isTruncated(),
  };
};

/** A command streamed over a socket: each output chunk with its stream's byte in front (1 stdout, 2 stderr). */
export const streamExec = (
  helper: THelper,
  request: TExecRequest,
  principal: TPrincipal,
  socket: {
    send: (frame: Buffer | string) => void;
    /** Resolves once the socket's buffer has room again (the command's output waits meanwhile). */
    drained: () => Promise<void>;
    close: (code: number, reason: string) => void;
  },
) => {
  const call = helper.console.exec(inputOf(request, principal, true), {
    onItem: async ({ stream, bytes }) => {
      socket.send(Buffer.concat([Buffer.from([stream === "stdout" ? 1 : 2]), bytes]));
      await socket.drained();
    },
  });
  call.result.then(
    ({ exitCode, signal, timedOut }) => {
      socket.send(JSON.stringify({ type: "end", reason: timedOut ? "timeout" : "exited", exitCode, signal }));
      socket.close(1000, "exited");
    },
    (error: unknown) => {
      socket.send(JSON.stringify({ type: "end", reason: "failed", message: (error as Error).message }));
      socket.close(1000, "failed");
    },
  );
  let isEnded = false;
  let pending = 0;
  return {
    /** Sends stdin up; resolves once the helper took it (the socket handler stops reading while much is pending). */
    input: async (data: Buffer) => {
      if (isEnded) return;
      pending += data.length;
      const writes: Promise<void>[] = [];
      for (let at = 0; at < data.length; at += MAX_CHUNK_BYTES)
        writes.push(call.write(data.subarray(at, at + MAX_CHUNK_BYTES)).catch(() => undefined));
      await Promise.all(writes);
      pending -= data.length;
    },
    pending: () => pending,
    eof: () => {
      if (isEnded) return;
      isEnded = true;
      call.end();
    },
    /** The socket went away: the command is stopped. */
    leave: () => call.cancel(),
  };
};

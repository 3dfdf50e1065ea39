import type WebSocket from "ws";
import { exitOfEnd, type TEndFrame } from "./exit-codes";
import { callMutation, controlFrame, openConsoleSocket, RemoteError, type TEndpoint } from "./remote";
import type { TExecArgs } from "./remote-args";

/**
 * `atelier exec NAME -- CMD…`: a command in a running container through the API's streaming form
 * (console.openExec, then the console's WebSocket). Its stdout and stderr come as they are written, each to the
 * CLI's own; the CLI's stdin goes up unless it is a terminal; the CLI exits with the command's code (see
 * exit-codes.ts). Resolves to the exit code; an Atelier failure is a RemoteError (125).
 */
const STREAM_STDOUT = 1;
const STREAM_STDERR = 2;

export const runExec = async (endpoint: TEndpoint, args: TExecArgs): Promise<number> => {
  const { ticket } = await callMutation<{ ticket: string }>(endpoint, "console.openExec", {
    name: args.name,
    argv: args.argv,
    ...(args.user === undefined ? {} : { user: args.user }),
    ...(args.timeoutSeconds === undefined ? {} : { timeoutSeconds: args.timeoutSeconds }),
  });

  let end: TEndFrame | null = null;
  let failure: RemoteError | null = null;
  let socket: WebSocket | null = null;

  /** The CLI's stdin up to the command, each chunk once the previous one is sent; then eof. */
  const sendStdin = (ws: WebSocket) => {
    const eof = () => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: "eof" }));
    };
    if (process.stdin.isTTY) {
      eof();
      return;
    }
    process.stdin.on("data", (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      process.stdin.pause();
      ws.send(chunk, { binary: true }, () => process.stdin.resume());
    });
    process.stdin.once("end", eof);
    // A closed or unreadable stdin (`<&-`) is an empty one.
    process.stdin.once("error", eof);
  };

  /** The command's output as it comes; the socket waits while the CLI's own output is full. */
  const write = (stream: NodeJS.WriteStream, data: Buffer) => {
    if (!stream.write(data) && socket && !socket.isPaused) {
      const ws = socket;
      ws.pause();
      stream.once("drain", () => ws.resume());
    }
  };

  const onMessage = (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      const stream = data[0];
      if (stream === STREAM_STDOUT) write(process.stdout, data.subarray(1));
      else if (stream === STREAM_STDERR) write(process.stderr, data.subarray(1));
      return;
    }
    const frame = controlFrame(data);
    if (!frame) return;
    if (frame.type === "end") end = frame as TEndFrame;
  };

  const ws = await openConsoleSocket(endpoint, ticket, args.name, onMessage);
  socket = ws;
  // A reader that went away (`atelier exec web -- yes | head`): the command is stopped (the server cancels it when
  // its socket closes), and the CLI ends as a program killed by SIGPIPE would.
  const onBrokenPipe = (error: Error & { code?: string }) => {
    if (error.code !== "EPIPE") throw error;
    ws.terminate();
    process.exit(128 + 13);
  };
  process.stdout.on("error", onBrokenPipe);
  process.stderr.on("error", onBrokenPipe);
  // Up at once: the command may wait for its input before it says anything.
  sendStdin(ws);
  const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") }));
    ws.on("error", (error) => {
      failure = new RemoteError(`the connection to Atelier failed: ${error.message}`);
    });
  });
  process.stdin.pause();
  process.stdin.removeAllListeners("data");
  process.stdin.unref?.();
  if (end) {
    const { code, message } = exitOfEnd(end, "the command", args.timeoutSeconds);
    if (message) process.stderr.write(`atelier: ${message}\n`);
    return code;
  }
  if (failure) throw failure as RemoteError;
  throw new RemoteError(
    `the connection to Atelier closed before the command ended (${closed.code}${closed.reason ? `: ${closed.reason}` : ""})`,
  );
};

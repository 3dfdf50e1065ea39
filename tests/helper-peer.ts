import { execa } from "execa";

/**
 * A raw peer of the helper's socket, as a compromised web tier (or any other local user) would be: a separate
 * process, as the given user (none: this test process's own, root), that sends `lines` and gives back every line
 * the helper answers, until it closes or 2 s pass. A refused connect is one `{ type: "connect-error", code }`.
 */
export const rawPeer = async (
  socketPath: string,
  lines: string[],
  runAs?: { uid: number; gid: number } | null,
) => {
  const script = `
    const socket = require("node:net").connect(process.argv[1]);
    let text = "";
    socket.on("connect", () => socket.write(process.argv[2]));
    socket.on("data", (chunk) => (text += chunk));
    socket.on("error", (error) => (text += JSON.stringify({ type: "connect-error", code: error.code }) + "\\n"));
    const done = () => { process.stdout.write(text); process.exit(0); };
    socket.on("close", done);
    setTimeout(done, 2000);
  `;
  const argv = [process.execPath, "-e", script, socketPath, lines.join("")];
  const command = runAs
    ? ["setpriv", `--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, "--clear-groups", ...argv]
    : argv;
  const result = await execa(command[0] ?? "", command.slice(1), { reject: false });
  return result.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

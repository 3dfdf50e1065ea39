import { lstat } from "node:fs/promises";
import net from "node:net";
import { run } from "../helper/run/runner";
import type { TProbe } from "../schemas/autostart";

/**
 * Whether a container answers: a TCP connection to a port of its IPv4 address, or one ping (`ping -c1 -W1`, only
 * where the host has ping: Debian's iputils-ping). Each attempt takes a second at most.
 */
const ATTEMPT_MS = 1000;

export const tcpAnswers = (address: string, port: number, timeoutMs = ATTEMPT_MS) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: address, port, family: 4 });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });

const PING_PATHS = ["/usr/bin/ping", "/bin/ping"] as const;
/** ping's path on this host, or null when it has none. */
export const pingPath = async () => {
  for (const file of PING_PATHS) if ((await lstat(file).catch(() => null)) !== null) return file;
  return null;
};

export const pingAnswers = async (address: string) => {
  const program = await pingPath();
  if (!program) return false;
  const result = await run(program, ["-c1", "-W1", "-n", address], { timeoutMs: 5000 }).catch(() => null);
  return result?.exitCode === 0;
};

export const answers = (address: string, probe: TProbe) =>
  probe.kind === "tcp" ? tcpAnswers(address, probe.port) : pingAnswers(address);

/** How a probe is said in progress lines and errors. */
export const probeWords = (probe: TProbe) => (probe.kind === "tcp" ? `TCP port ${probe.port}` : "ping");

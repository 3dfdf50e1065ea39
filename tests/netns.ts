import { execa, type ResultPromise } from "execa";

/**
 * Network namespaces a test makes for itself, inside the run's own test namespace: a "LAN" (or any other peer)
 * held by a sleeping process, joined to the test namespace by a veth pair that stands in for the host's physical
 * NIC. Nothing here touches the real host's network; everything goes away with the holder process.
 */
export const ip = async (...args: string[]) => {
  const result = await execa("ip", args, { reject: false, stdin: "ignore" });
  if (result.exitCode !== 0) throw new Error(`ip ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
};
export const ipJson = async <T>(...args: string[]) => JSON.parse((await ip("-j", ...args)) || "[]") as T;

/** An interface's addresses (with prefix), link-local ones left out, as `ip` reports them now. */
export const addressesOf = async (dev: string) =>
  (
    await ipJson<{ addr_info: { local: string; prefixlen: number; scope: string }[] }[]>(
      "addr",
      "show",
      "dev",
      dev,
    )
  )
    .flatMap((entry) => entry.addr_info)
    .filter((info) => info.scope !== "link")
    .map((info) => `${info.local}/${info.prefixlen}`);

/** The IPv4 default route now, or null. */
export const defaultRoute = async () =>
  (await ipJson<{ dst: string; gateway?: string; dev: string }[]>("route", "show", "default"))[0] ?? null;

export type TPeerNamespace = {
  pid: number;
  /** Runs a command in the peer namespace. */
  run: (file: string, args: string[]) => ReturnType<typeof execa>;
  /** fetch() from inside the peer namespace (a browser on the LAN); `null` when the server cannot be reached. */
  fetch: (
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
  ) => Promise<{ status: number; body: string } | null>;
  close: () => Promise<void>;
};

/**
 * A peer namespace with `peerName` inside it, paired with `hostName` in the test namespace; addresses on both
 * ends (with prefix) when given, both ends up.
 */
export const makePeerNamespace = async ({
  hostName,
  peerName,
  hostCidr,
  peerCidr,
}: {
  hostName: string;
  peerName: string;
  hostCidr?: string;
  peerCidr?: string;
}): Promise<TPeerNamespace> => {
  const holder: ResultPromise = execa("unshare", ["--net", "sleep", "3600"], {
    reject: false,
    stdin: "ignore",
  });
  const pid = holder.pid;
  if (!pid) throw new Error("unshare did not start");
  const own = (await execa("readlink", ["/proc/self/ns/net"])).stdout;
  for (let attempt = 0; ; attempt += 1) {
    const theirs = await execa("readlink", [`/proc/${pid}/ns/net`], { reject: false });
    if (theirs.exitCode === 0 && theirs.stdout !== own) break;
    if (attempt > 100) throw new Error("the peer namespace did not appear");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const run = (file: string, args: string[]) =>
    execa("nsenter", [`--net=/proc/${pid}/ns/net`, "--", file, ...args], { reject: false, stdin: "ignore" });
  const inPeer = async (...args: string[]) => {
    const result = await run("ip", args);
    if (result.exitCode !== 0)
      throw new Error(`(peer) ip ${args.join(" ")} failed: ${String(result.stderr)}`);
  };
  await ip("link", "add", hostName, "type", "veth", "peer", "name", peerName, "netns", String(pid));
  await inPeer("link", "set", "lo", "up");
  if (peerCidr) await inPeer("addr", "add", peerCidr, "dev", peerName);
  await inPeer("link", "set", peerName, "up");
  if (hostCidr) await ip("addr", "add", hostCidr, "dev", hostName);
  await ip("link", "set", hostName, "up");

  const FETCH = `
    const init = JSON.parse(process.env.FETCH_INIT);
    fetch(process.env.FETCH_URL, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 3000) })
      .then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })))
      .catch(() => console.log("null"))
      // A connection cut off mid-request would otherwise keep the process alive.
      .finally(() => process.exit(0));
  `;
  return {
    pid,
    run,
    fetch: async (url, init = {}) => {
      const result = await execa(
        "nsenter",
        [`--net=/proc/${pid}/ns/net`, "--", process.execPath, "-e", FETCH],
        { reject: false, stdin: "ignore", env: { FETCH_URL: url, FETCH_INIT: JSON.stringify(init) } },
      );
      return JSON.parse(result.stdout || "null") as { status: number; body: string } | null;
    },
    close: async () => {
      holder.kill("SIGKILL");
      await holder;
      await execa("ip", ["link", "del", hostName], { reject: false });
    },
  };
};

import { readFile, readlink } from "node:fs/promises";
import type { Socket } from "node:net";
import { run } from "./run/runner";

/**
 * Who is at the other end of an accepted unix socket connection: the processes holding the peer socket, with their
 * uids. Node has no SO_PEERCRED, so this asks the kernel's socket diagnostics (`ss -xp`, netlink) for the peer of
 * our socket's inode and the processes holding that peer, then reads each one's uids from /proc. Run once per
 * connection (the web tier keeps one open).
 */
export type TPeer = { pid: number; uids: number[] }[];

const inodeOf = async (socket: Socket) => {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) return null;
  const link = await readlink(`/proc/self/fd/${fd}`).catch(() => "");
  return /^socket:\[(\d+)\]$/.exec(link)?.[1] ?? null;
};

export const peerOf = async (socket: Socket): Promise<TPeer> => {
  const own = await inodeOf(socket);
  if (!own) return [];
  // Once per connection; a host with many sockets lists a few MB. No answer in 10 s: no peer known, refused.
  const { stdout } = await run("ss", ["-x", "-p", "-n", "-H"], {
    timeoutMs: 10_000,
    maxOutputBytes: 64 * 1024 * 1024,
    package: "iproute2",
  }).catch(() => ({ stdout: "" }));
  const rows = stdout.split("\n").map((line) => line.trim().split(/\s+/));
  // Netid State Recv-Q Send-Q Local LocalInode Peer PeerInode Process
  const peerInode = rows.find((row) => row[5] === own)?.[7];
  if (!peerInode) return [];
  const holder = rows.find((row) => row[5] === peerInode);
  const pids = [...(holder?.slice(8).join(" ") ?? "").matchAll(/pid=(\d+)/g)].map((match) =>
    Number(match[1]),
  );
  return Promise.all(
    [...new Set(pids)].map(async (pid) => {
      const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
      const uids = (/^Uid:\s+(.*)$/m.exec(status)?.[1] ?? "").split(/\s+/).filter(Boolean).map(Number);
      return { pid, uids };
    }),
  );
};

/** True when every process at the other end runs with only allowed uids (real, effective, saved, filesystem). */
export const isAllowedPeer = (peer: TPeer, allowedUids: readonly number[]) =>
  peer.length > 0 &&
  peer.every(({ uids }) => uids.length > 0 && uids.every((uid) => allowedUids.includes(uid)));

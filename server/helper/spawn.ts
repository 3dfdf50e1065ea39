import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

/**
 * Starts the helper (root) and waits until it listens: the launcher does (server/launcher/), and the tests that
 * drive the helper alone. It runs under setpriv's parent-death signal, so that it never outlives its starter, even
 * one killed with SIGKILL. Only `allowUid` may call it; its socket's directory is for `socketGroup` only.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type THelperStart = {
  socketPath: string;
  stateDir: string;
  /** The web tier's upload spool (web/uploads). */
  uploadSpool: string;
  hostRoot: string;
  lxcPath: string;
  containerConfig: string | undefined;
  lxcCache: string;
  importDirs: readonly string[];
  /** Where operators may bind-mount from. */
  bindRoots?: readonly string[];
  /** Host ids for unprivileged containers (ATELIER_IDMAP_POOL). */
  idmapPool?: string;
  /** Idmapped rootfs where supported, or always shifted owners (ATELIER_IDMAP_METHOD). */
  idmapMethod?: "auto" | "shift";
  /** The web tier's uid and gid. */
  allowUid: number;
  socketGroup: number;
};

export const startHelper = async (settings: THelperStart) => {
  // Not on the command runner (./run/runner.ts), on purpose: this is no command that ends with a result but the
  // root service itself, for the launcher's whole life. It has no timeout (setpriv's parent-death signal and
  // stop() end it), its stderr goes straight to the launcher's (so its own log lines are not bounded, collected or
  // re-logged), and its lifetime is supervised by the launcher, not by a process-group record that the helper
  // itself keeps. Everything the helper runs goes through the runner.
  const child = execa(
    "setpriv",
    [
      "--pdeathsig",
      "KILL",
      "--",
      process.execPath,
      "--import",
      "tsx",
      path.join(root, "server/helper/main.ts"),
    ],
    {
      cwd: root,
      reject: false,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "inherit",
      buffer: false,
      env: {
        ATELIER_HELPER_SOCKET: settings.socketPath,
        ATELIER_HELPER_ALLOW_UIDS: String(settings.allowUid),
        ATELIER_HELPER_GROUP: String(settings.socketGroup),
        ATELIER_HELPER_STATE_DIR: settings.stateDir,
        ATELIER_HELPER_UPLOAD_SPOOL: settings.uploadSpool,
        ATELIER_HOST_ROOT: settings.hostRoot,
        ATELIER_LXC_PATH: settings.lxcPath,
        ATELIER_LXC_CACHE: settings.lxcCache,
        ATELIER_IMPORT_DIRS: settings.importDirs.join(":"),
        ATELIER_BIND_ROOTS: (settings.bindRoots ?? []).join(":"),
        ...(settings.idmapPool ? { ATELIER_IDMAP_POOL: settings.idmapPool } : {}),
        ...(settings.idmapMethod ? { ATELIER_IDMAP_METHOD: settings.idmapMethod } : {}),
        ...(settings.containerConfig ? { ATELIER_CONTAINER_CONFIG: settings.containerConfig } : {}),
        ...(process.env.ATELIER_LOG_LEVEL ? { ATELIER_LOG_LEVEL: process.env.ATELIER_LOG_LEVEL } : {}),
        ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
        // libuv's threadpool (every fs call) is 4 threads by default: a guest able to hold one of them in a lookup
        // (a FUSE mount made between the helper's read of its mountinfo and its lstat) must not stop the helper.
        UV_THREADPOOL_SIZE: "16",
      },
    },
  );
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error("the helper did not start within 60 s")), 60_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes("helper ready\n")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void child.then((result) => {
      clearTimeout(timer);
      reject(new Error(`the helper exited during start-up (code ${result.exitCode ?? "?"})`));
    });
  });
  child.stdout?.resume();
  return {
    socketPath: settings.socketPath,
    pid: child.pid,
    exited: child.then((result) => result.exitCode ?? result.signal ?? null),
    stop: async () => {
      child.kill("SIGTERM");
      await child;
      // Whatever way it ended: a socket directory of its own under /run/atelier goes with it.
      const socketDir = path.dirname(settings.socketPath);
      if (path.dirname(socketDir) === "/run/atelier") await rm(socketDir, { recursive: true, force: true });
    },
  };
};

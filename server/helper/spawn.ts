import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

/**
 * Starts the helper beside the web tier and waits until it listens. For now the web tier's own process starts it
 * (through setpriv's parent-death signal, so that it never outlives the web tier, even killed with SIGKILL); the
 * launcher of the privilege split will take this over and start the web tier without root.
 *
 * The socket lives in the data directory, or under /run/atelier when that path would be too long for a unix socket
 * (108 bytes).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const helperSocketPath = (dataDir: string) => {
  const inData = path.join(dataDir, "helper", "helper.sock");
  if (Buffer.byteLength(inData) < 100) return inData;
  const id = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return path.join("/run/atelier", id, "helper.sock");
};

export const startHelper = async (settings: {
  dataDir: string;
  lxcPath: string;
  containerConfig: string | undefined;
  lxcCache: string;
  importDirs: readonly string[];
}) => {
  const socketPath = helperSocketPath(settings.dataDir);
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
        ATELIER_HELPER_SOCKET: socketPath,
        ATELIER_HELPER_ALLOW_UIDS: String(process.getuid?.() ?? 0),
        ATELIER_HELPER_GROUP: String(process.getgid?.() ?? 0),
        ATELIER_LXC_PATH: settings.lxcPath,
        ATELIER_LXC_CACHE: settings.lxcCache,
        ATELIER_IMPORT_DIRS: settings.importDirs.join(":"),
        ...(settings.containerConfig ? { ATELIER_CONTAINER_CONFIG: settings.containerConfig } : {}),
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
    socketPath,
    exited: child.then((result) => result.exitCode),
    stop: async () => {
      child.kill("SIGTERM");
      await child;
    },
  };
};

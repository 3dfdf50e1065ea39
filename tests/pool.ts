import path from "node:path";
import { ForksPoolWorker, type PoolOptions } from "vitest/node";

/**
 * Vitest's forks pool, with each test file's worker started through scripts/test-file-env.sh: every integration
 * test file runs in a network namespace, lxcpath and data directory of its own (made inside the run's environment
 * by scripts/test-env.ts, removed with it). Files then see neither each other's containers nor each other's
 * addresses, routes, nft tables or LXC daemons, and the suite passes with any number of workers.
 *
 * Vitest forks its worker with `child_process.fork`, which runs `process.execPath`; it is pointed at the script
 * for the duration of that (synchronous) call. The script ends by exec'ing the real Node with the same arguments,
 * so the worker's IPC channel (an inherited file descriptor) is untouched.
 */
const script = path.resolve(import.meta.dirname, "../scripts/test-file-env.sh");

class FileEnvWorker extends ForksPoolWorker {
  override readonly name = "file-env";

  constructor(options: PoolOptions) {
    super(options);
    this.env = { ...this.env, ATELIER_TEST_NODE: process.execPath };
  }

  override start() {
    const node = process.execPath;
    process.execPath = script;
    try {
      return super.start();
    } finally {
      process.execPath = node;
    }
  }
}

export const fileEnvPool = () => ({
  name: "file-env",
  createPoolWorker: (options: PoolOptions) => new FileEnvWorker(options),
});

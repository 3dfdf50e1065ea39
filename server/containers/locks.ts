import { AppError, said } from "../errors";

/**
 * Serialises operations per container. LXC does not corrupt itself under concurrent commands, but its exit codes
 * cannot tell a real success from a no-op then, so the second conflicting request is refused while the first runs.
 */
export type TBusyOperation =
  "create" | "start" | "stop" | "restart" | "freeze" | "unfreeze" | "destroy" | "snapshot";

export class ContainerLocks {
  private readonly held = new Map<string, TBusyOperation>();

  /** The operation running on each busy container. */
  busy(): ReadonlyMap<string, TBusyOperation> {
    return this.held;
  }

  async run<T>(name: string, operation: TBusyOperation, work: () => Promise<T>): Promise<T> {
    const running = this.held.get(name);
    if (running) {
      throw new AppError("CONFLICT", said("containerBusy", { name, operation: running }));
    }
    this.held.set(name, operation);
    try {
      return await work();
    } finally {
      this.held.delete(name);
    }
  }
}

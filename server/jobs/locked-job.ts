import type { TContainerService } from "../containers/service";
import type { TBusyOperation } from "../containers/locks";
import type { TJobSpec, TJobs } from "./jobs";

/**
 * Starts a job that holds a container's lock for its whole run: the lock is taken before the job starts (so a
 * second request is refused at once), and released (with the container's row refreshed) before the job's final
 * state is written, so that whoever sees the job finished can use the container at once.
 */
export const startLockedJob = async <T>(
  jobs: TJobs,
  containers: Pick<TContainerService, "locked">,
  name: string,
  operation: TBusyOperation,
  spec: TJobSpec<T>,
  /** Checks made under the lock before the job starts (so nothing can change their answer meanwhile). */
  check?: () => Promise<void>,
) => {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let acquired: () => void = () => undefined;
  const isAcquired = new Promise<void>((resolve) => {
    acquired = resolve;
  });
  const refused: { error?: Error } = {};
  const holding = containers
    .locked(name, operation, async () => {
      acquired();
      await released;
    })
    .catch((error: unknown) => {
      refused.error = error instanceof Error ? error : new Error(String(error));
      acquired();
    });
  await isAcquired;
  if (refused.error) throw refused.error;
  try {
    await check?.();
    return await jobs.start({
      ...spec,
      onSettled: async () => {
        release();
        await holding;
        await spec.onSettled?.();
      },
    });
  } catch (error) {
    // Refused before it started: the lock is free again by the time the refusal is answered.
    release();
    await holding;
    throw error;
  }
};

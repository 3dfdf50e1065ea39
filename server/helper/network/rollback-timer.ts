/**
 * The helper's own rollback timer for a change waiting for confirmation. It fires a little after the web tier's
 * (which rolls back at rollbackAt itself, and records it), so that it acts only when the web tier is gone or late.
 * Unref'd: a helper asked to stop does not wait for it (it undoes a pending change as it stops).
 */
export const HELPER_ROLLBACK_GRACE_MS = 3000;

export const createRollbackTimer = () => {
  let timer: NodeJS.Timeout | null = null;
  const disarm = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return {
    /** Calls `onExpire` once rollbackAt (ISO) and the grace have passed, unless disarmed (or armed again) first. */
    arm: (rollbackAt: string, onExpire: () => void) => {
      disarm();
      const delay = Math.max(0, new Date(rollbackAt).getTime() - Date.now() + HELPER_ROLLBACK_GRACE_MS);
      timer = setTimeout(onExpire, delay);
      timer.unref();
    },
    disarm,
  };
};

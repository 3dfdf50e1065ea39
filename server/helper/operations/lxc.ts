import { rm, stat } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../../errors";
import { checkConfigWithLiblxc, createLxcDriver, lxcDefaultPath, runMonitor } from "../../lxc";
import type { lxcContract } from "../contract/lxc";
import type { THandlers } from "../contract/define";
import type { TBeingMade } from "../being-made";
import { checkBindSourcesBeforeStart } from "../bind-sources";
import { checkMountCreateBeforeStart } from "../../rootfs/mount-create";
import { makeBindMountPoints } from "../../rootfs/mount-points";
import { closeIdmappedContainerDir } from "../container-dir";

/**
 * The LXC driver's operations, in the helper: each takes a validated container name (and fixed-shape options) and
 * runs the one lxc-* command the driver runs for it, in the helper's own lxcpath (the contract: ../contract/lxc.ts).
 * The web tier's driver (server/helper-client/lxc.ts) has the same shape and calls these.
 */
/**
 * liblxc's verdict on a candidate config, loaded in a throwaway lxcpath of the helper's. liblxc reads the files a
 * config includes as it loads it; what it says about a line that is not in the candidate (a line of an included host
 * file) is not passed on, so that the verdict never carries a host file's content.
 */
export const liblxcVerdict = async (text: string) => {
  const verdict = await checkConfigWithLiblxc(text);
  if (verdict.isValid || verdict.line !== null) return verdict;
  return {
    isValid: false as const,
    line: null,
    message: "LXC cannot load this config or a file it includes",
  };
};

export const lxcOperations = ({
  lxcPath,
  containerConfig,
  beingMade,
  bindRoots = [],
}: {
  lxcPath: string;
  containerConfig?: string;
  /** Where operators may bind-mount from (ATELIER_BIND_ROOTS): each bind source inside them is checked at start. */
  bindRoots?: readonly string[] | undefined;
  /** Marked once lxc.create made a container; unmarked when one is destroyed. */
  beingMade: TBeingMade;
}) => {
  const lxc = createLxcDriver({ lxcPath, containerConfig });
  /**
   * A bind source swapped for a link since its line was saved is refused right before lxc-start (bind-sources.ts),
   * and so is a create= target through a link (rootfs/mount-create.ts).
   */
  const beforeStart = (name: string) =>
    // A container being made is not finished (its id map and its files come last): it never starts half made.
    // A creation interrupted (its helper or the host stopped in the middle) never starts either: until its last
    // steps it can be privileged with lxc.start.auto set (../being-made.ts).
    (beingMade.has(name)
      ? Promise.reject(new AppError("CONFLICT", said("stillBeingMade", { name })))
      : beingMade
          .unfinished(name)
          .then((unfinished) =>
            unfinished
              ? Promise.reject(new AppError("CONFLICT", said("creationInterrupted", { name })))
              : undefined,
          )
    )
      .then(() => closeIdmappedContainerDir(lxcPath, name))
      .then(() =>
        checkBindSourcesBeforeStart({ lxcPath, name, bindRoots }).then(() =>
          checkMountCreateBeforeStart({ lxcPath, name }).then(() => makeBindMountPoints({ lxcPath, name })),
        ),
      );
  const done = async (action: Promise<unknown>) => {
    await action;
    return null;
  };
  return {
    list: () => lxc.list(),
    exists: ({ name }) => lxc.exists(name),
    get: ({ name }) => lxc.get(name),
    info: ({ name }) => lxc.info(name),
    create: async ({ name, template }) => {
      const made = await lxc.create(name, { template });
      beingMade.mark(name);
      return made;
    },
    start: ({ name }) => done(lxc.start(name, { beforeStart })),
    stop: ({ name, ...options }) => done(lxc.stop(name, options)),
    // Checked before the stop too, so that a restart that would be refused leaves the container running.
    restart: async ({ name, ...options }) => {
      await beforeStart(name);
      return done(lxc.restart(name, { ...options, beforeStart }));
    },
    freeze: ({ name }) => done(lxc.freeze(name)),
    unfreeze: ({ name }) => done(lxc.unfreeze(name)),
    destroy: async ({ name, ...options }) => {
      await lxc.destroy(name, options);
      beingMade.clear(name);
      return null;
    },
    discard: async ({ name }) => {
      await lxc.discard(name);
      beingMade.clear(name);
      return null;
    },
    /** A directory in the lxcpath without a config (a creation that failed before LXC wrote one). */
    removeLeftover: async ({ name }) => {
      const dir = path.join(lxcPath, name);
      if ((await stat(path.join(dir, "config")).catch(() => null))?.isFile())
        throw new AppError("CONFLICT", said("discardRealContainer", { name }));
      await rm(dir, { recursive: true, force: true });
      beingMade.clear(name);
      return null;
    },
    deleteSnapshot: ({ name, snapshot }) => done(lxc.deleteSnapshot(name, snapshot)),
    setCgroup: ({ name, file, value }) => done(lxc.setCgroup(name, file, value)),
    /** liblxc's verdict on a candidate config (liblxcVerdict: nothing of an included host file comes back). */
    checkConfig: ({ text }) => liblxcVerdict(text),
    defaultPath: () => lxcDefaultPath(),
    /**
     * A stream: `lxc-monitor -n '.*'` on the lxcpath, one item per line it prints, until it exits (its exit code is
     * the result) or the call is cancelled (it is killed).
     */
    monitor: (_input, { signal, emit }) => runMonitor(lxcPath, { signal, onLine: (line) => emit(line) }),
  } satisfies THandlers<typeof lxcContract>;
};

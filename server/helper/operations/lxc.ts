import { createInterface } from "node:readline";
import { z } from "zod";
import { checkConfigWithLiblxc, createLxcDriver, lxcDefaultPath, spawnMonitor } from "../../lxc";
import { ZContainerName } from "../../schemas/container-name";
import { KEYS } from "../../schemas/lxc-config/catalogue";
import type { TBeingMade } from "../being-made";
import { checkBindSourcesBeforeStart } from "../bind-sources";
import { checkMountCreateBeforeStart } from "../../rootfs/mount-create";
import { makeBindMountPoints } from "../../rootfs/mount-points";
import { defineOperation } from "../operation";

/**
 * The LXC driver's operations, in the helper: each takes a validated container name (and fixed-shape options) and
 * runs the one lxc-* command the driver runs for it, in the helper's own lxcpath. The web tier's driver
 * (server/helper-client/lxc.ts) has the same shape and calls these.
 */
const ZName = z.object({ name: ZContainerName }).strict();
const ZSnapshot = z.string().regex(/^snap\d{1,6}$/, "must be a snapshot name such as snap0");

/**
 * The cgroup files a live config change may set: those of catalogue keys that apply live, device rules excepted
 * (they take effect at the next start, where the config's privilege rules have been checked).
 */
const LIVE_CGROUP_FILES = new Set(
  KEYS.filter((key) => key.apply === "live")
    .map((key) => /^lxc\.cgroup2?\.(.+)$/.exec(key.key)?.[1])
    .filter((file): file is string => file !== undefined && !file.startsWith("devices.")),
);

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
    checkBindSourcesBeforeStart({ lxcPath, name, bindRoots }).then(() =>
      checkMountCreateBeforeStart({ lxcPath, name }).then(() => makeBindMountPoints({ lxcPath, name })),
    );
  return {
    "lxc.list": defineOperation({ input: z.object({}).strict(), run: () => lxc.list() }),
    "lxc.exists": defineOperation({ input: ZName, run: ({ name }) => lxc.exists(name) }),
    "lxc.get": defineOperation({ input: ZName, run: ({ name }) => lxc.get(name) }),
    "lxc.info": defineOperation({ input: ZName, run: ({ name }) => lxc.info(name) }),
    "lxc.create": defineOperation({
      input: z.object({ name: ZContainerName, template: z.literal("busybox") }).strict(),
      run: async ({ name, template }) => {
        const made = await lxc.create(name, { template });
        beingMade.mark(name);
        return made;
      },
    }),
    "lxc.start": defineOperation({ input: ZName, run: ({ name }) => lxc.start(name, { beforeStart }) }),
    "lxc.stop": defineOperation({
      input: z
        .object({
          name: ZContainerName,
          force: z.boolean().optional(),
          timeoutSeconds: z.number().int().min(0).max(3600).optional(),
        })
        .strict(),
      run: ({ name, ...options }) => lxc.stop(name, options),
    }),
    "lxc.restart": defineOperation({
      input: z
        .object({ name: ZContainerName, timeoutSeconds: z.number().int().min(0).max(3600).optional() })
        .strict(),
      // Checked before the stop too, so that a restart that would be refused leaves the container running.
      run: async ({ name, ...options }) => {
        await beforeStart(name);
        await lxc.restart(name, { ...options, beforeStart });
      },
    }),
    "lxc.freeze": defineOperation({ input: ZName, run: ({ name }) => lxc.freeze(name) }),
    "lxc.unfreeze": defineOperation({ input: ZName, run: ({ name }) => lxc.unfreeze(name) }),
    "lxc.destroy": defineOperation({
      input: z.object({ name: ZContainerName, force: z.boolean().optional() }).strict(),
      run: async ({ name, ...options }) => {
        await lxc.destroy(name, options);
        beingMade.clear(name);
      },
    }),
    "lxc.discard": defineOperation({
      input: ZName,
      run: async ({ name }) => {
        await lxc.discard(name);
        beingMade.clear(name);
      },
    }),
    "lxc.deleteSnapshot": defineOperation({
      input: z.object({ name: ZContainerName, snapshot: ZSnapshot }).strict(),
      run: ({ name, snapshot }) => lxc.deleteSnapshot(name, snapshot),
    }),
    "lxc.setCgroup": defineOperation({
      input: z
        .object({
          name: ZContainerName,
          file: z
            .string()
            .refine((file) => LIVE_CGROUP_FILES.has(file), "not a cgroup file a live change sets"),
          value: z.string().regex(/^[\w.:,\- ]{1,200}$/, "not a cgroup value"),
        })
        .strict(),
      run: ({ name, file, value }) => lxc.setCgroup(name, file, value),
    }),
    /** liblxc's verdict on a candidate config (liblxcVerdict: nothing of an included host file comes back). */
    "lxc.checkConfig": defineOperation({
      input: z.object({ text: z.string().max(256 * 1024) }).strict(),
      run: ({ text }) => liblxcVerdict(text),
    }),
    "lxc.defaultPath": defineOperation({ input: z.object({}).strict(), run: () => lxcDefaultPath() }),
    /**
     * A stream: `lxc-monitor -n '.*'` on the lxcpath, one item per line it prints, until it exits (its exit code is
     * the result) or the call is cancelled (it is killed).
     */
    "lxc.monitor": defineOperation({
      input: z.object({}).strict(),
      run: async (_input, { signal, emit }) => {
        const child = spawnMonitor(lxcPath);
        const kill = () => child.kill("SIGTERM");
        signal.addEventListener("abort", kill, { once: true });
        try {
          if (child.stdout) {
            const lines = createInterface({ input: child.stdout });
            for await (const line of lines) await emit(line);
          }
          const result = await child;
          return { exitCode: result.exitCode ?? null };
        } finally {
          signal.removeEventListener("abort", kill);
        }
      },
    }),
  };
};

export type TLxcOperations = ReturnType<typeof lxcOperations>;

import type { TLogger } from "../../log";
import { forgetAutostartExtras } from "../../boot/store";
import { DEFAULT_IDMAP_POOL, parseIdPool, type TIdPool } from "../../schemas/idmap";
import { ensureRootSubids } from "../subids";
import { createBeingMade } from "../being-made";
import { recoverProcessGroups } from "../commands";
import { contract } from "../contract";
import { implement } from "../operation";
import { adminsOperations } from "./admins";
import { autostartOperations } from "./autostart";
import { bindsOperations } from "./binds";
import { cacheOperations } from "./cache";
import { configOperations } from "./config";
import { filesOperations } from "./files";
import { consoleOperations } from "./console";
import { hostOperations } from "./host";
import { idmapOperations } from "./idmap";
import { importsOperations } from "./imports";
import { jobsOperations } from "./jobs";
import { lxcOperations } from "./lxc";
import { natOperations } from "./nat";
import { networkOperations } from "./network";
import { packagesOperations } from "./packages";
import { rootfsOperations } from "./rootfs";
import { servicesOperations } from "./services";
import { snapshotsOperations } from "./snapshots";
import { tarballOperations } from "./tarball";
import { uploadOperations } from "./upload";

export type THelperSettings = {
  lxcPath: string;
  containerConfig?: string;
  /** LXC's template cache (ATELIER_LXC_CACHE) and the directories tarballs may come from. */
  cacheDir: string;
  importDirs: readonly string[];
  /** The helper's own directory, root only: the network journal, dnsmasq's files. */
  stateDir: string;
  /** Where the host's /etc is ("/", or a directory laid out like / in tests). */
  hostRoot: string;
  /** The web tier's upload spool, and the uids that may call (their files may be taken from the spool). */
  uploadSpool: string;
  allowedUids: readonly number[];
  /** Where operators may bind-mount from (ATELIER_BIND_ROOTS). */
  bindRoots?: readonly string[];
  /** Host ids unprivileged containers get ranges from (ATELIER_IDMAP_POOL). */
  idPool?: TIdPool;
  /** Idmapped root filesystems where the host can (auto), or owners always shifted (ATELIER_IDMAP_METHOD). */
  idmapMethod?: "auto" | "shift";
  log?: TLogger;
};

/**
 * Every operation the helper offers, by name: the whole of what the web tier may ask of root. One file per family.
 * `recover` runs once when the helper starts: it undoes what a previous helper left half done.
 */
export const createHelperOperations = (settings: THelperSettings) => {
  const idPool = settings.idPool ?? (parseIdPool(DEFAULT_IDMAP_POOL) as TIdPool);
  const network = networkOperations(settings);
  const config = configOperations({ ...settings, bindRoots: settings.bindRoots ?? [], idPool });
  const writeConfig = (name: string, text: string, ticket: string | undefined) =>
    config.write({ name, text, ...(ticket ? { ticket } : {}) }, {
      signal: new AbortController().signal,
      emit: () => undefined,
    } as never);
  // The containers the helper is making: rootfs.prepare writes into them without a ticket, into no other.
  const beingMade = createBeingMade({ stateDir: settings.stateDir });
  const lxc = lxcOperations({ ...settings, beingMade });
  return {
    operations: {
      ...implement(contract, {
        lxc: {
          ...lxc,
          destroy: async (input) => {
            const done = await lxc.destroy(input);
            await forgetAutostartExtras(settings.stateDir, input.name);
            return done;
          },
        },
        jobs: jobsOperations({ ...settings, beingMade }),
        rootfs: rootfsOperations({ ...settings, beingMade }),
        tarball: tarballOperations({ ...settings, beingMade }),
        cache: cacheOperations(settings),
        snapshots: snapshotsOperations(settings),
        imports: importsOperations(settings),
        upload: uploadOperations(settings),
        config,
        admins: adminsOperations(settings),
        network: network.operations,
        nat: natOperations(settings),
        idmap: idmapOperations({
          ...settings,
          idPool,
          idmapMethod: settings.idmapMethod ?? "auto",
          writeConfig,
        }),
        binds: bindsOperations({
          ...settings,
          bindRoots: settings.bindRoots ?? [],
          protectedPaths: [settings.cacheDir, settings.uploadSpool],
          serviceUids: settings.allowedUids,
          writeConfig,
        }),
        console: consoleOperations(settings),
        autostart: autostartOperations({
          ...settings,
          start: async (name) => {
            await lxc.start({ name });
          },
        }),
        host: hostOperations({ ...settings, idPool }),
        packages: packagesOperations(settings),
        files: filesOperations(settings),
        services: servicesOperations(settings),
      }),
    },
    recover: async () => {
      await recoverProcessGroups(settings.stateDir);
      await network.recover();
    },
    /** Root's lines for the pool in /etc/subuid and /etc/subgid, added when missing (logged, with the lines). */
    grantSubids: async () => {
      const files = await ensureRootSubids(settings.hostRoot, idPool);
      for (const file of files) {
        if (file.state === "added") settings.log?.info(`added "${file.line}" to ${file.file}`);
        if (file.state === "conflict")
          settings.log?.error(
            `${file.file}: "${file.conflict}" overlaps Atelier's id pool: unprivileged containers cannot start until ATELIER_IDMAP_POOL is moved or that line is, then add "${file.line}"`,
          );
        if (file.problem) settings.log?.error(`${file.file}: ${file.problem}; add "${file.line}" by hand`);
      }
      return files;
    },
    close: () => network.close(),
  };
};

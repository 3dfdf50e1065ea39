import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { TActor } from "../auth/roles";
import type { TContainerService } from "../containers/service";
import { AppError, said } from "../errors";
import type { TJobContext, TJobs } from "../jobs/jobs";
import { startLockedJob } from "../jobs/locked-job";
import { writeNic } from "../host-network/nics";
import type { TReadNetwork } from "../host-network/read";
import type { TLxcDriver } from "../helper-client/lxc";
import type { TConfigService } from "../lxc-config/service";
import { LxcConfig } from "../schemas/lxc-config/model";
import { detectLayout } from "../metrics/layout";
import { ZCreateForm, type TCreateContainerRequest } from "../schemas/create-container";

/**
 * Provisioning: a new container from one of the root filesystem providers (./providers/: busybox, Debian by
 * debootstrap through LXC's debian template with its cache, a local tarball, a clone of another container, an
 * imported config), all behind one interface, then its network, limits, autostart and access written through the config's validated write
 * path and into its root filesystem. All of it runs as a job under the container's lock ("creating" in the list);
 * whatever fails, is cancelled or interrupted, the half-made container is destroyed and the provider cleans up.
 */

import type { THelper } from "../helper-client";
import { CACHE_ENTRY } from "../helper/contract/cache";
import { createProviders, type TForm, type TRootfsProvider } from "./providers";
import { phase } from "../i18n/job-phases";
import type { TIsolation } from "./isolation";

export { debianProgress } from "./providers";

/** cgroup keys for the limits, in the host's cgroup version's names. */
export const cgroupKeys = (limits: NonNullable<TForm["limits"]>, version: 1 | 2) => {
  const v1 = version === 1;
  const keys: [string, string][] = [];
  if (limits.memoryMiB !== undefined)
    keys.push([
      v1 ? "lxc.cgroup.memory.limit_in_bytes" : "lxc.cgroup2.memory.max",
      String(limits.memoryMiB * 1024 * 1024),
    ]);
  if (limits.cpuShares !== undefined)
    keys.push(
      v1
        ? ["lxc.cgroup.cpu.shares", String(limits.cpuShares)]
        : // cgroup v2's weight (1-10000, default 100) for v1's shares (default 1024), as systemd converts it.
          [
            "lxc.cgroup2.cpu.weight",
            String(Math.max(1, Math.min(10000, Math.round((limits.cpuShares * 100) / 1024)))),
          ],
    );
  if (limits.cpuset !== undefined)
    keys.push([v1 ? "lxc.cgroup.cpuset.cpus" : "lxc.cgroup2.cpuset.cpus", limits.cpuset]);
  if (limits.pids !== undefined)
    keys.push([v1 ? "lxc.cgroup.pids.max" : "lxc.cgroup2.pids.max", String(limits.pids)]);
  return keys;
};

/** The form's network (eth0), limits and autostart, applied to a config model. */
export const applySettings = (model: LxcConfig, form: TForm, version: 1 | 2) => {
  if (form.network)
    writeNic(model, 0, {
      type: "veth",
      link: form.network.bridge,
      ...(form.network.mode === "static" ? { ipv4: form.network.ipv4, gateway: form.network.gateway } : {}),
    });
  if (form.limits) for (const [key, value] of cgroupKeys(form.limits, version)) model.set(key, value);
  if (form.autostart) {
    model.set("lxc.start.auto", form.autostart.enabled ? "1" : "0");
    if (form.autostart.order !== undefined) model.set("lxc.start.order", String(form.autostart.order));
    if (form.autostart.delay !== undefined) model.set("lxc.start.delay", String(form.autostart.delay));
    model.remove("lxc.group");
    for (const group of form.autostart.groups) model.add("lxc.group", group);
  }
  return model;
};

export const createProvisioner = ({
  isolation,
  unprivilegedByDefault = true,
  lxc,
  helper,
  readNetwork,
  containers,
  config,
  jobs,
  lxcPath,
  containerConfig,
  cacheDir,
  importDirs,
}: {
  /** Gives an unprivileged container its range (helper.idmap.assign) and records it. */
  isolation: Pick<TIsolation, "assign" | "unassign" | "syncRecord" | "release">;
  /** ATELIER_UNPRIVILEGED: whether a form that does not say is unprivileged (operators' always are). */
  unprivilegedByDefault?: boolean;
  lxc: TLxcDriver;
  containers: Pick<TContainerService, "locked" | "list">;
  config: Pick<TConfigService, "read" | "save" | "checkImport" | "writeImport">;
  jobs: TJobs;
  lxcPath: string;
  containerConfig: string | undefined;
  /** LXC's template cache (LXC_CACHE_PATH): the debian template keeps rootfs-RELEASE-ARCH there. */
  helper: THelper;
  readNetwork: TReadNetwork;
  cacheDir: string;
  /** Where tarballs may be taken from. */
  importDirs: string[];
}) => {
  const containerDir = (name: string) => path.join(lxcPath, name);

  const destroyIfExists = async (name: string) => {
    if (await lxc.exists(name)) await lxc.discard(name);
    await isolation.release(name);
    // A container whose config was never written is not one LXC can destroy: remove its directory.
    if ((await stat(containerDir(name)).catch(() => null)) && !(await lxc.exists(name)))
      await helper.lxc.removeLeftover({ name });
  };

  const { providers, isDebianBusy } = createProviders({ lxc, helper, containers, config, importDirs });
  /** The form's provider, typed by its kind. */
  const providerOf = <K extends TForm["rootfs"]["kind"]>(rootfs: Extract<TForm["rootfs"], { kind: K }>) =>
    providers[rootfs.kind] as unknown as TRootfsProvider<K>;

  /** Network, limits and autostart, as config lines through the validated write path. */
  const writeSettings = async (name: string, form: TForm, actor: TActor) => {
    if (!form.network && !form.limits && !form.autostart) return;
    const current = await config.read(name);
    const model = LxcConfig.parse(current.raw);
    applySettings(model, form, detectLayout().version);
    await config.save({
      name,
      raw: model.toString(),
      baseVersion: current.version,
      actor: actor.username,
      role: actor.role,
      adminTicket: actor.adminTicket,
      applyLive: false,
    });
  };

  /** The config a form would give a busybox container: the default config with the form's lines (the wizard's summary). */
  const preview = async (request: Omit<TCreateContainerRequest, "name">) => {
    const form = ZCreateForm.parse(request);
    const base = containerConfig ? await readFile(containerConfig, "utf8").catch(() => "") : "";
    const model = LxcConfig.parse(base);
    applySettings(model, form, detectLayout().version);
    // The MAC is generated when the container is made: this one would not be it.
    const text = model
      .toString()
      .replace(/^(lxc\.net\.0\.hwaddr = )00:16:3e:[0-9a-f:]{8}$/m, (line, key: string) =>
        base.includes(line) ? line : `${key}(generated when it is created)`,
      );
    return {
      base: containerConfig ?? null,
      config: text,
      added: text.split("\n").filter((line) => line.trim() && !base.split("\n").includes(line)),
    };
  };

  /**
   * The busybox init, Debian's network file, the root password, the SSH key: written by the helper, into the
   * container it has just made (the actor's ticket goes along; the helper needs it only for an existing container).
   */
  const writeRootfs = async (name: string, form: TForm, context: TJobContext, actor: TActor) => {
    if (form.access?.rootPassword) context.setProgress(98, phase("settingRootPassword"));
    await helper.rootfs.prepare({
      name,
      ...(actor.adminTicket ? { ticket: actor.adminTicket } : {}),
      busyboxInit: providerOf(form.rootfs).busyboxInit,
      network: form.network?.mode ?? null,
      ...(form.access?.rootPassword ? { rootPassword: form.access.rootPassword } : {}),
      ...(form.access?.sshKey ? { sshKey: form.access.sshKey } : {}),
    });
  };

  /**
   * Whether the container is made privileged: only an admin may ask (or, with ATELIER_UNPRIVILEGED=0, have it by
   * default); everyone else's containers are unprivileged.
   */
  const isPrivileged = (form: TForm, actor: TActor) =>
    form.privileged ?? (!unprivilegedByDefault && actor.role === "admin");

  /** Checks that can be made before anything runs: each refusal names its field. */
  const precheck = async (name: string, form: TForm, actor: TActor) => {
    if (isPrivileged(form, actor) && actor.role !== "admin")
      throw new AppError("FORBIDDEN", { ...said("privilegedCreationNeedsAdmin"), field: "privileged" });
    if (form.rootfs.kind === "clone" && form.rootfs.snapshot) {
      const source = form.rootfs.source;
      if (!isPrivileged(form, actor))
        throw new AppError("PRECONDITION_FAILED", {
          ...said("overlayCloneUnprivileged", { source }),
          field: "rootfs.snapshot",
        });
      // lxc-copy mounts the overlay with the source's rootfs options: an idmapped lower layer it cannot overlay.
      const sourceConfig = await config.read(source).catch(() => null);
      if (sourceConfig && /^[ \t]*lxc\.idmap[ \t]*=/m.test(sourceConfig.raw))
        throw new AppError("PRECONDITION_FAILED", {
          ...said("overlayCloneOfUnprivileged", { source }),
          field: "rootfs.snapshot",
        });
    }
    if (await lxc.exists(name))
      throw new AppError("CONFLICT", { ...said("containerNameTaken", { name }), field: "name" });
    if ((await stat(containerDir(name)).catch(() => null)) !== null)
      throw new AppError("CONFLICT", {
        ...said("containerDirTaken", { dir: containerDir(name) }),
        field: "name",
      });
    // The provider's own checks (a clone's source stopped, Debian's keyring, an archive in an import directory...).
    await providerOf(form.rootfs).check?.(form.rootfs, form, actor, name);
    if (form.network) {
      const network = await readNetwork();
      if (!network.bridges.some((bridge) => bridge.name === form.network?.bridge))
        throw new AppError("BAD_REQUEST", {
          ...said("creationBridgeMissing", { bridge: form.network.bridge }),
          field: "network.bridge",
        });
    }
  };

  /** Starts the creation job; `{ jobId }` at once. The container is locked ("create") until the job ends. */
  const create = async (request: TCreateContainerRequest, actor: TActor) => {
    const { name, template, ...rest } = request;
    const form = ZCreateForm.parse(template ? { ...rest, rootfs: { kind: "busybox" } } : rest);
    // Checked under the container's lock: two requests for one name cannot both pass, and the clean-up of a failed
    // creation can only ever remove what this job made.
    const { jobId, finished } = await startLockedJob(
      jobs,
      containers,
      name,
      "create",
      {
        kind: form.rootfs.kind === "clone" ? "clone" : "create",
        owner: actor.username,
        target: name,
        ...(form.rootfs.kind === "clone" ? { about: { source: form.rootfs.source } } : {}),
        work: async (context) => {
          await providerOf(form.rootfs).make(name, form.rootfs, context, actor);
          context.setProgress(97, phase("writingConfig"));
          await writeSettings(name, form, actor);
          // Its own range of host ids (a clone's too: LXC gave it its source's), or, for an admin's privileged
          // container cloned from an unprivileged one, none.
          if (!isPrivileged(form, actor)) {
            context.setProgress(98, phase("mappingIds"));
            await isolation.assign(name, actor, context, 98);
          } else if (form.rootfs.kind === "clone") {
            await isolation.unassign(name, actor, context, 98).catch((error: unknown) => {
              if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
            });
          }
          await writeRootfs(name, form, context, actor);
          return { name };
        },
        cleanup: async () => {
          await destroyIfExists(name);
          await providerOf(form.rootfs).cleanup?.(form.rootfs);
        },
      },
      () => precheck(name, form, actor),
    );
    return { name, jobId, finished };
  };

  /**
   * A creation waited for (the foundation's `{ name, template }` form and an imported config answer once the
   * container is made): the job's error if it did not succeed.
   */
  const createAndWait = async (request: TCreateContainerRequest, actor: TActor) => {
    const { name, jobId, finished } = await create(request, actor);
    await finished;
    const job = await jobs.get(jobId, { tail: 0 });
    if (job.state !== "succeeded")
      // The job's error as the job recorded it (its English), else how the creation ended.
      throw new AppError(
        "LXC_FAILED",
        job.error ? { message: job.error } : said("creationEnded", { name, state: job.state }),
      );
    return { name, jobId };
  };

  /** What LXC's template cache holds (debian rootfs per release and architecture), with sizes. */
  const cache = async () => {
    const dir = path.join(cacheDir, "debian");
    const entries = (await helper.cache.list({})).map((entry) => ({
      ...entry,
      isPartial: entry.name.startsWith("partial-"),
    }));
    return { dir, entries };
  };

  const clearCache = async (entry: string) => {
    if (!CACHE_ENTRY.test(entry))
      throw new AppError("BAD_REQUEST", { ...said("notACacheEntry"), field: "entry" });
    if (isDebianBusy()) throw new AppError("CONFLICT", said("debianCacheBusy"));
    await helper.cache.remove({ entry });
    return cache();
  };

  /** After a restart: the interrupted job's container, and the template's partial downloads (no job runs yet). */
  const cleanupInterrupted = async (name: string) => {
    await destroyIfExists(name);
    await helper.cache.removePartials({});
  };

  return { create, createAndWait, preview, cache, clearCache, destroyIfExists, cleanupInterrupted };
};

export type TProvisioner = ReturnType<typeof createProvisioner>;

import { readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { modeOf } from "./tarball";
import { UPLOAD_NAME } from "../layout";
import { type z } from "zod";
import type { TActor } from "../auth/roles";
import type { TContainerService } from "../containers/service";
import { AppError } from "../errors";
import type { TJobContext, TJobs } from "../jobs/jobs";
import { startLockedJob } from "../jobs/locked-job";
import { writeNic } from "../host-network/nics";
import type { TReadNetwork } from "../host-network/read";
import type { TLxcDriver } from "../lxc";
import { summariseStderr } from "../lxc/stderr";
import type { TConfigService } from "../lxc-config/service";
import { LxcConfig } from "../schemas/lxc-config/model";
import { detectLayout } from "../metrics/layout";
import { ZCreateForm, type TCreateContainerRequest } from "../schemas/create-container";

/**
 * Provisioning: a new container from one of the root filesystem providers (busybox, Debian by debootstrap through
 * LXC's debian template with its cache, a local tarball, a clone of another container), then its network, limits,
 * autostart and access written through the config's validated write path and into its root filesystem. All of it
 * runs as a job under the container's lock ("creating" in the list); whatever fails, is cancelled or interrupted, the
 * half-made container is destroyed.
 */
type TForm = z.output<typeof ZCreateForm>;

/**
 * Debian's archive keyring: the debian template checks what it downloads with it. The mirror is the operator's to
 * choose, and debootstrap runs the packages' scripts as root (in the new rootfs's chroot): only packages signed by
 * Debian may get there. Without the keyring the template would fetch keys from the internet, or check nothing.
 */
import type { THelperClient } from "../helper-client";
import type { THelperOperations } from "../helper/operations";
import { DEBIAN_KEYRING } from "../helper/operations/jobs";

export { DEBIAN_KEYRING };

/** Lines LXC's debian template prints for a cold cache (debootstrap's I: lines and its own), measured: ~650. */
const DEBIAN_EXPECTED_LINES = 650;

export const debianProgress = () => {
  let lines = 0;
  return (line: string): { progress: number; phase: string } | null => {
    if (line.startsWith("I: ")) {
      lines += 1;
      const phase = /^I: (Retrieving|Validating)/.test(line)
        ? "downloading packages"
        : /^I: (Extracting|Unpacking|Installing)/.test(line)
          ? "unpacking packages"
          : /^I: Configuring/.test(line)
            ? "configuring packages"
            : "bootstrapping";
      return { progress: 5 + Math.min(75, (lines / DEBIAN_EXPECTED_LINES) * 75), phase };
    }
    if (line.startsWith("Checking cache download")) return { progress: 3, phase: "checking the cache" };
    if (line.startsWith("Downloading debian minimal"))
      return { progress: 5, phase: "bootstrapping (debootstrap)" };
    if (line.startsWith("Copying rootfs")) return { progress: 82, phase: "copying the cached system" };
    if (line.startsWith("Generating locales")) return { progress: 88, phase: "generating locales" };
    if (line.startsWith("Creating SSH2")) return { progress: 92, phase: "creating SSH host keys" };
    if (line.startsWith("Current default time zone")) return { progress: 96, phase: "setting the time zone" };
    return null;
  };
};

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
  lxc: TLxcDriver;
  containers: Pick<TContainerService, "locked" | "list">;
  config: Pick<TConfigService, "read" | "save">;
  jobs: TJobs;
  lxcPath: string;
  containerConfig: string | undefined;
  /** LXC's template cache (LXC_CACHE_PATH): the debian template keeps rootfs-RELEASE-ARCH there. */
  helper: THelperClient<THelperOperations>;
  readNetwork: TReadNetwork;
  cacheDir: string;
  /** Where tarballs may be taken from. */
  importDirs: string[];
}) => {
  const containerDir = (name: string) => path.join(lxcPath, name);

  const destroyIfExists = async (name: string) => {
    if (await lxc.exists(name)) await lxc.discard(name);
    // A container whose config was never written is not one LXC can destroy: remove its directory.
    if ((await stat(containerDir(name)).catch(() => null)) && !(await lxc.exists(name)))
      await helper.call("lxc.removeLeftover", { name });
  };

  let debianJobs = 0;
  /** The template's partial download, left behind when it is killed; only when no other debian job runs. */
  const removePartialDebian = async (release: string, arch: string) => {
    if (debianJobs === 0)
      await helper.call("cache.remove", { entry: `partial-${release}-${arch}` }).catch(() => undefined);
  };

  const failed = (what: string, result: { exitCode: number; stderr: string; stdout: string }) =>
    new AppError("LXC_FAILED", {
      message: `${what} failed (exit ${result.exitCode}): ${summariseStderr(result.stderr) || result.stdout.trim().split("\n").slice(-3).join(" ") || "no output"}`,
      hint: "The job's log has everything the command printed.",
      stderr: result.stderr.trim().slice(-2000),
    });

  /** A tarball's members are checked first (server/provision/tarball.ts), then it is unpacked as LXC would lay it out. */
  const unpackTarball = async (
    name: string,
    file: string,
    rootfs: Extract<TForm["rootfs"], { kind: "tarball" }>,
    context: TJobContext,
  ) => {
    // LXC's own modes: the container's directory 0770, its root filesystem 0755.
    await helper.call("tarball.prepare", { name });
    // The helper lists the archive, checks its members and unpacks it only if they pass.
    context.setProgress(5, "checking and unpacking the archive");
    const unpacked = await context.stream("job.unpackTarball", { path: file, name });
    if (unpacked.problem)
      throw new AppError("BAD_REQUEST", {
        message: `${rootfs.path} is not usable: ${unpacked.problem}`,
        field: "rootfs.path",
      });
    if (unpacked.exitCode !== 0) throw failed("Unpacking the archive", unpacked);
    const { setuid } = unpacked;
    if (!rootfs.keepSetuid && setuid.length > 0) {
      // A setuid program from an archive is root's inside the container: an admin's choice, not a default.
      context.log(
        `stripping setuid/setgid bits from ${setuid.length} file(s): ${setuid
          .map((m) => m.name)
          .join(", ")
          .slice(0, 500)}`,
      );
      await helper.call("tarball.stripSetuid", {
        name,
        files: setuid.map((member) => ({ path: member.name, mode: modeOf(member.permissions) & 0o1777 })),
      });
    }
    await helper.call("tarball.writeConfig", { name, source: rootfs.path });
  };

  const makeRootfs = async (name: string, form: TForm, context: TJobContext) => {
    const { rootfs } = form;
    switch (rootfs.kind) {
      case "busybox": {
        context.setProgress(null, "creating the busybox root filesystem");
        await lxc.create(name, { template: "busybox" });
        return;
      }
      case "debian": {
        context.setProgress(1, "starting the debian template");
        const progressOf = debianProgress();
        let isUnchecked = false;
        debianJobs += 1;
        try {
          // The helper runs LXC's debian template with the pinned keyring and this run's cache.
          const result = await context.stream(
            "job.createDebian",
            { name, rootfs },
            {
              onLine: (line) => {
                // Cannot happen with the keyring there (checked first); if it ever does, the job fails.
                if (line.includes("No GPG check")) isUnchecked = true;
                const step = progressOf(line);
                if (step) context.setProgress(step.progress, step.phase);
              },
            },
          );
          if (isUnchecked)
            throw new AppError("INTERNAL", {
              message:
                "LXC's debian template did not check the packages' signatures: the container is removed",
              hint: `Install debian-archive-keyring (${DEBIAN_KEYRING}), then try again.`,
            });
          if (result.exitCode !== 0 || !(await lxc.exists(name)))
            throw failed("lxc-create -t debian", result);
        } finally {
          debianJobs -= 1;
        }
        return;
      }
      case "tarball": {
        const file = path.resolve(rootfs.path);
        try {
          await unpackTarball(name, file, rootfs, context);
        } finally {
          // An uploaded archive is not kept once used; other archives are the admin's.
          if (
            importDirs[0] &&
            path.dirname(file) === path.resolve(importDirs[0]) &&
            UPLOAD_NAME.test(path.basename(file))
          )
            await helper.call("upload.remove", { name: path.basename(file) });
        }
        return;
      }
      case "clone": {
        context.setProgress(
          null,
          rootfs.snapshot ? "making an overlay snapshot clone" : "copying the root filesystem",
        );
        const result = await context.stream("job.copy", {
          source: rootfs.source,
          name,
          snapshot: rootfs.snapshot,
        });
        if (result.exitCode !== 0 || !(await lxc.exists(name)))
          throw failed(`lxc-copy of ${rootfs.source}`, result);
        return;
      }
    }
  };

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

  /** Access and the guest's own network settings, in the root filesystem. */
  /** The busybox init, Debian's network file, the root password, the SSH key: written by the helper. */
  const writeRootfs = async (name: string, form: TForm, context: TJobContext) => {
    if (form.access?.rootPassword) context.setProgress(98, "setting the root password");
    await helper.call("rootfs.prepare", {
      name,
      busyboxInit: form.rootfs.kind === "busybox" || form.rootfs.kind === "clone",
      network: form.network?.mode ?? null,
      ...(form.access?.rootPassword ? { rootPassword: form.access.rootPassword } : {}),
      ...(form.access?.sshKey ? { sshKey: form.access.sshKey } : {}),
    });
  };

  /** Checks that can be made before anything runs: each refusal names its field. */
  const precheck = async (name: string, form: TForm, actor: TActor) => {
    if (form.rootfs.kind === "tarball" && form.rootfs.keepSetuid && actor.role !== "admin")
      throw new AppError("FORBIDDEN", {
        message: "Keeping an archive's setuid and setgid bits needs the admin role",
        hint: "Leave it off: the bits are stripped, and an admin can set them inside the container.",
        field: "rootfs.keepSetuid",
      });
    if (await lxc.exists(name))
      throw new AppError("CONFLICT", {
        message: `A container named "${name}" already exists`,
        hint: "Choose another name, or destroy the existing container first.",
        field: "name",
      });
    if ((await stat(containerDir(name)).catch(() => null)) !== null)
      throw new AppError("CONFLICT", {
        message: `${containerDir(name)} already exists (a container being created, or a leftover)`,
        hint: "Choose another name.",
        field: "name",
      });
    if (form.rootfs.kind === "clone" && form.rootfs.snapshot && form.access?.rootPassword)
      throw new AppError("BAD_REQUEST", {
        message: "A root password cannot be set in an overlay clone as it is made",
        hint: "Set it in the source container, use a full copy, or give an SSH key instead.",
        field: "access.rootPassword",
      });
    if (form.rootfs.kind === "clone") {
      const source = form.rootfs.source;
      const row = (await containers.list()).find((entry) => entry.name === source);
      if (!row)
        throw new AppError("BAD_REQUEST", {
          message: `There is no container named "${source}"`,
          field: "rootfs.source",
        });
      if (row.state !== "STOPPED")
        throw new AppError("PRECONDITION_FAILED", {
          message: `"${source}" is ${row.state.toLowerCase()}: LXC clones only stopped containers`,
          hint: "Stop it first, then clone it.",
          field: "rootfs.source",
        });
    }
    if (form.rootfs.kind === "debian") {
      if (!(await stat(DEBIAN_KEYRING).catch(() => null))?.isFile())
        throw new AppError("LXC_UNAVAILABLE", {
          message: `Debian's archive keyring (${DEBIAN_KEYRING}) is missing: the debian template could not check what it downloads`,
          hint: "Install it: apt-get install debian-archive-keyring (scripts/start.sh does).",
          field: "rootfs.kind",
        });
      // amd64 and i386 (the 32-bit userland) run on an x86-64 host; i386 also on a 32-bit x86 one.
      const host = os.arch();
      const runs = form.rootfs.arch === "amd64" ? host === "x64" : host === "x64" || host === "ia32";
      if (!runs)
        throw new AppError("BAD_REQUEST", {
          message: `This host (${host}) cannot run ${form.rootfs.arch} containers`,
          hint: "Pick the host's own architecture.",
          field: "rootfs.arch",
        });
    }
    // Inside an import directory (root's: the helper looks), and a file.
    if (form.rootfs.kind === "tarball") await helper.call("imports.check", { path: form.rootfs.path });
    if (form.network) {
      const network = await readNetwork();
      if (!network.bridges.some((bridge) => bridge.name === form.network?.bridge))
        throw new AppError("BAD_REQUEST", {
          message: `${form.network.bridge} is not a bridge on this host`,
          hint: "Pick one of the host's bridges (Network page), or create one there first.",
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
        work: async (context) => {
          await makeRootfs(name, form, context);
          context.setProgress(97, "writing the config");
          await writeSettings(name, form, actor);
          await writeRootfs(name, form, context);
          return { name };
        },
        cleanup: async () => {
          await destroyIfExists(name);
          if (form.rootfs.kind === "debian") await removePartialDebian(form.rootfs.release, form.rootfs.arch);
        },
      },
      () => precheck(name, form, actor),
    );
    return { name, jobId, finished };
  };

  /** What LXC's template cache holds (debian rootfs per release and architecture), with sizes. */
  const cache = async () => {
    const dir = path.join(cacheDir, "debian");
    const entries = (await helper.call("cache.list", {})).map((entry) => ({
      ...entry,
      isPartial: entry.name.startsWith("partial-"),
    }));
    return { dir, entries };
  };

  const clearCache = async (entry: string) => {
    if (!/^(rootfs|partial)-[a-z]+-[a-z0-9]+$/.test(entry))
      throw new AppError("BAD_REQUEST", { message: "That is not a cache entry", field: "entry" });
    if (debianJobs > 0)
      throw new AppError("CONFLICT", {
        message: "A Debian container is being created: the cache is in use",
        hint: "Wait for the job to finish.",
      });
    await helper.call("cache.remove", { entry });
    return cache();
  };

  /** After a restart: the interrupted job's container, and the template's partial downloads (no job runs yet). */
  const cleanupInterrupted = async (name: string) => {
    await destroyIfExists(name);
    await helper.call("cache.removePartials", {});
  };

  return { create, preview, cache, clearCache, destroyIfExists, cleanupInterrupted };
};

export type TProvisioner = ReturnType<typeof createProvisioner>;

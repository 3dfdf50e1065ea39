import { mkdtemp, readdir, realpath, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../../errors";
import { containerNotFound } from "../../lxc";
import { ZContainerName } from "../../schemas/container-name";
import { checkTarMembers, TAR_LIST_ARGS } from "../tar-listing";
import { ZRootfs } from "../../schemas/create-container";
import {
  hasDependents,
  readContainerConfig,
  restoreHostnameProblem,
  setGuestHostname,
  snapshotsDirOf,
  storageOf,
} from "../../rootfs/hostname";
import { openRootfs } from "../../rootfs";
import { refuseCloneHookProblem } from "../../rootfs/clone-hooks";
import { adminOnlyChanges } from "../../lxc-config/admin-only";
import { LxcConfig } from "../../schemas/lxc-config/model";
import { describePrivilegedChanges } from "../../schemas/lxc-config/privileges";
import { requireTicket } from "../admins";
import type { TBeingMade } from "../being-made";
import { runCommand } from "../commands";
import { defineOperation } from "../operation";

/**
 * The long commands of jobs, as typed streaming operations (items: `{ pgid }`, then `{ line, stream }`; the result:
 * exit code and output). The web tier's job runner records progress and lines and cancels through the call; the
 * helper picks the program, its arguments and its environment from the typed input. Tarballs are read only inside
 * the import directories, checked here, and unpacked only into a container being made; their setuid and setgid bits
 * are stripped here unless an admin's ticket keeps them. A creation that succeeds marks its container as being
 * made (../being-made.ts).
 */
export const DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

const ZDebian = ZRootfs.options[1];
const ZSnapshotName = z.string().regex(/^snap\d{1,6}$/, "must be a snapshot name such as snap0");

export const jobOperations = ({
  lxcPath,
  containerConfig,
  cacheDir,
  importDirs,
  stateDir,
  beingMade,
  bindRoots = [],
}: {
  lxcPath: string;
  containerConfig?: string;
  cacheDir: string;
  importDirs: readonly string[];
  /** The helper's own directory: its admins, for the ticket that keeps setuid bits. */
  stateDir: string;
  beingMade: TBeingMade;
  /** Where operators may bind-mount from (ATELIER_BIND_ROOTS): the privilege rules' context. */
  bindRoots?: readonly string[];
}) => {
  const lxcArgs = ["-P", lxcPath, "-l", "ERROR"];
  /** A tarball inside an import directory, resolved (no link leads out): or a refusal naming the field. */
  const importedFile = async (file: string) => {
    const resolved = await realpath(file).catch(() => null);
    const roots = await Promise.all(importDirs.map((dir) => realpath(dir).catch(() => null)));
    if (!resolved || !roots.some((root) => root && resolved.startsWith(`${root}/`)))
      throw new AppError("BAD_REQUEST", {
        message: `${file} is not a file in the directories tarballs may come from`,
        field: "path",
      });
    return resolved;
  };
  const ZTarball = z.string().max(4096).startsWith("/");
  /** lxc-snapshot and lxc-copy would make a directory for a name that does not exist: refused first. */
  const mustExist = async (name: string) => {
    if (!(await stat(path.join(lxcPath, name, "config")).catch(() => null))?.isFile())
      throw containerNotFound(lxcPath, name);
  };

  /** A creation command's result; the container it made (exit 0) is marked as being made. */
  const marking = async <T extends { exitCode: number }>(name: string, result: Promise<T>) => {
    const done = await result;
    if (done.exitCode === 0) beingMade.mark(name);
    return done;
  };

  const configOf = (name: string) => path.join(lxcPath, name, "config");

  /** A rootfs on a directory or an overlay: the only kinds whose hostname file the helper can write itself. */
  const mustLookInto = async (name: string) => {
    const config = await readContainerConfig(path.join(lxcPath, name, "config"));
    const storage = await storageOf(config.get("lxc.rootfs.path"));
    if (storage.kind === "other")
      throw new AppError("PRECONDITION_FAILED", {
        message: `The root filesystem of "${name}" (${storage.value}) is not a directory or an overlay: Atelier clones and restores only those`,
        hint: "Use lxc-copy or lxc-snapshot on the host for other storage.",
      });
    return storage;
  };

  return {
    "job.createDebian": defineOperation({
      input: z.object({ name: ZContainerName, rootfs: ZDebian }).strict(),
      run: ({ name, rootfs }, context) => {
        const args = [...lxcArgs, "-n", name, "-t", "debian"];
        if (containerConfig) args.push("-f", containerConfig);
        args.push("--", "-r", rootfs.release, "-a", rootfs.arch, `--mirror=${rootfs.mirror}`);
        if (rootfs.packages.length > 0) args.push(`--packages=${rootfs.packages.join(",")}`);
        return marking(
          name,
          runCommand("lxc-create", args, context, {
            env: {
              KEYRING: DEBIAN_KEYRING,
              DOWNLOAD_KEYRING: "0",
              LXC_CACHE_PATH: cacheDir,
              SECURITY_MIRROR: rootfs.mirror.replace(/\/debian\/?$/, "/debian-security"),
              DEBIAN_FRONTEND: "noninteractive",
            },
          }),
        );
      },
    }),
    "job.copy": defineOperation({
      input: z.object({ source: ZContainerName, name: ZContainerName, snapshot: z.boolean() }).strict(),
      run: async ({ source, name, snapshot }, context) => {
        await mustExist(source);
        await mustLookInto(source);
        // The clone hooks (LXC's clonehostname: sed -i on etc/hosts …) run as root on the copy, following links.
        await refuseCloneHookProblem({
          configFile: configOf(source),
          subject: `"${source}" cannot be copied`,
        });
        // -K: lxc-copy writes nothing inside the new rootfs (it would write etc/hostname through a guest's link).
        const result = await marking(
          name,
          runCommand(
            "lxc-copy",
            [...lxcArgs, "-n", source, "-N", name, "-K", ...(snapshot ? ["-s", "-B", "overlay"] : [])],
            context,
          ),
        );
        if (result.exitCode === 0) await setGuestHostname(path.join(lxcPath, name), name);
        return result;
      },
    }),
    /**
     * An archive into LXCPATH/NAME/rootfs, which tarball.prepare made (empty, and the container has no config yet):
     * listed first and checked here (server/helper/tar-listing.ts: devices, links and members that would land
     * outside the rootfs), unpacked only when the check passes. The setuid and setgid bits of its members are then
     * cleared (of the mode each file has), unless `keepSetuid` comes with an admin's ticket (asked without one, the
     * call is refused before anything is unpacked). The result says what was refused, or which members are setuid
     * or setgid, and whether their bits were kept.
     */
    "job.unpackTarball": defineOperation({
      input: z
        .object({
          path: ZTarball,
          name: ZContainerName,
          keepSetuid: z.boolean().optional(),
          ticket: z.string().max(4096).optional(),
        })
        .strict(),
      run: async ({ path: file, name, keepSetuid = false, ticket }, context) => {
        const rootfs = path.join(lxcPath, name, "rootfs");
        if (!(await stat(rootfs).catch(() => null))?.isDirectory()) throw containerNotFound(lxcPath, name);
        if (
          (await stat(path.join(lxcPath, name, "config")).catch(() => null)) ||
          (await readdir(rootfs)).length > 0
        )
          throw new AppError("CONFLICT", {
            message: `"${name}" is not a container being made`,
            field: "name",
          });
        if (keepSetuid) await requireTicket(stateDir, ticket, "Keeping an archive's setuid and setgid bits");
        const archive = await importedFile(file);
        const listing = await runCommand("tar", [...TAR_LIST_ARGS, archive], context, {
          timeoutMs: 10 * 60 * 1000,
        });
        const none = { setuid: [], keptSetuid: false };
        if (listing.exitCode !== 0) return { ...listing, problem: "its listing cannot be read", ...none };
        const { problem, strip, setuid } = checkTarMembers(listing.stdout);
        if (problem) return { ...listing, problem, ...none };
        const unpacked = await runCommand(
          "tar",
          [
            "--numeric-owner",
            "--xattrs",
            "-xpf",
            archive,
            "-C",
            rootfs,
            ...(strip ? ["--strip-components=1"] : []),
          ],
          context,
          { timeoutMs: 30 * 60 * 1000 },
        );
        if (unpacked.exitCode === 0 && !keepSetuid) {
          // The members by their names inside the rootfs (checkTarMembers'); one that is not a regular file any more
          // (a later member replaced it) is left alone. Bits are only ever cleared, of the mode the file has.
          const unpackedRootfs = openRootfs(rootfs);
          for (const member of setuid)
            if ((await unpackedRootfs.kind(member.name)) === "file")
              await unpackedRootfs.clearModeBits(member.name, 0o6000);
        }
        return { ...unpacked, problem: null, setuid, keptSetuid: keepSetuid };
      },
    }),
    "job.snapshot": defineOperation({
      input: z.object({ name: ZContainerName, comment: z.string().max(2000).optional() }).strict(),
      run: async ({ name, comment }, context) => {
        await mustExist(name);
        // A snapshot is a clone into snaps/: the clone hooks run on it as on a copy.
        await refuseCloneHookProblem({
          configFile: configOf(name),
          subject: `"${name}" cannot be snapshotted`,
        });
        const dir = await mkdtemp(path.join(os.tmpdir(), "atelier-snapshot-"));
        try {
          const args = [...lxcArgs, "-n", name];
          if (comment) {
            await writeFile(path.join(dir, "comment"), `${comment}\n`);
            args.push("-c", path.join(dir, "comment"));
          }
          return await runCommand("lxc-snapshot", args, context);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    }),
    "job.restoreSnapshot": defineOperation({
      input: z
        .object({
          name: ZContainerName,
          snapshot: ZSnapshotName,
          newName: ZContainerName.optional(),
          ticket: z.string().max(4096).optional(),
        })
        .strict(),
      run: async ({ name, snapshot, newName, ticket }, context) => {
        await mustExist(name);
        const storage = await mustLookInto(name);
        const snapshots = await snapshotsDirOf(lxcPath, name);
        // The snapshot's config comes back as it was: admin-only lines an admin has since taken out of the
        // container's config (a hook, a host mount...) come back only on an admin's ticket.
        const current = (await readContainerConfig(path.join(lxcPath, name, "config"))).toString();
        const restored = LxcConfig.parse(
          (await readContainerConfig(path.join(snapshots, snapshot, "config"))).toString(),
        );
        const rootfsPath = LxcConfig.parse(current).get("lxc.rootfs.path");
        if (rootfsPath !== undefined) restored.remove("lxc.rootfs.path").add("lxc.rootfs.path", rootfsPath);
        const comeBack = await adminOnlyChanges(current, restored.toString(), {
          lxcPath,
          name,
          bindRoots,
        });
        if (comeBack.length > 0)
          await requireTicket(
            stateDir,
            ticket,
            `Restoring ${snapshot} of "${name}" brings back what an admin took out of its config (${describePrivilegedChanges(comeBack)}), which`,
          );
        // Either form is a clone of the snapshot: its config's clone hooks run on its files.
        await refuseCloneHookProblem({
          configFile: path.join(snapshots, snapshot, "config"),
          subject: `${snapshot} of "${name}" cannot be restored`,
          inSnapshot: true,
        });
        if (newName) {
          // What lxc-snapshot -r -N does (liblxc's do_lxcapi_snapshot_restore: a clone of the snapshot with the
          // container's storage type, its log where lxc-snapshot's goes), but with -K; the hostname written here.
          if (await hasDependents(path.join(lxcPath, name)))
            throw new AppError("PRECONDITION_FAILED", {
              message: `Overlay clones or snapshots depend on the root filesystem of "${name}": LXC restores none of its snapshots while they exist`,
              hint: "Destroy the overlay clones made from it first.",
            });
          const result = await runCommand(
            "lxc-copy",
            [
              ...["-P", snapshots, "-l", "ERROR", "-o", path.join(lxcPath, name, `${name}.log`)],
              ...["-n", snapshot, "-N", newName, "-p", lxcPath, "-K"],
              ...(storage.kind === "overlay" ? ["-s", "-B", "overlay"] : ["-B", "dir"]),
            ],
            context,
          );
          if (result.exitCode === 0) await setGuestHostname(path.join(lxcPath, newName), newName);
          return result;
        }
        // In place only lxc-snapshot restores (it keeps the snapshots and an overlay's bookkeeping), and it writes
        // etc/hostname, following links on the host: refused while that write could leave the restored rootfs.
        const problem = await restoreHostnameProblem(path.join(snapshots, snapshot));
        if (problem)
          throw new AppError("PRECONDITION_FAILED", {
            message: `${snapshot} of "${name}" cannot be restored in place: ${problem}, and LXC would write the hostname through it as root on the host. Restore it as a new container instead: Atelier then writes the hostname itself, inside its root filesystem.`,
            hint: "Restore the snapshot as a new container, then destroy this one if you no longer need it.",
            field: "snapshot",
          });
        return runCommand("lxc-snapshot", [...lxcArgs, "-n", name, "-r", snapshot], context);
      },
    }),
  };
};

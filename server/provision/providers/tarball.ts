import path from "node:path";
import { AppError, said } from "../../errors";
import { UPLOAD_NAME } from "../../schemas/upload-name";
import { commandFailed } from "./failed";
import type { TProviderDeps, TRootfsProvider } from "./types";
import { phase } from "../../i18n/job-phases";

/**
 * A root filesystem archive from an import directory: the helper lists it, checks its members and unpacks it only
 * if they pass, laid out as LXC would (the container's directory 0770, its rootfs 0755); setuid bits are stripped
 * unless an admin keeps them; an uploaded archive is removed once used.
 */
export const tarballProvider = ({ helper, importDirs }: TProviderDeps): TRootfsProvider<"tarball"> => ({
  busyboxInit: false,
  check: async (rootfs, _form, actor) => {
    if (rootfs.keepSetuid && actor.role !== "admin")
      throw new AppError("FORBIDDEN", { ...said("keepSetuidNeedsAdmin"), field: "rootfs.keepSetuid" });
    // Inside an import directory (root's: the helper looks), and a file.
    await helper.imports.check({ path: rootfs.path });
  },
  make: async (name, rootfs, context, actor) => {
    const file = path.resolve(rootfs.path);
    try {
      await helper.tarball.prepare({ name });
      context.setProgress(5, phase("unpackingArchive"));
      // The helper strips setuid and setgid bits itself; it keeps them only on an admin's ticket.
      const unpacked = await context.stream(helper.jobs.unpackTarball, {
        path: file,
        name,
        ...(rootfs.keepSetuid ? { keepSetuid: true } : {}),
        ...(rootfs.keepSetuid && actor.adminTicket ? { ticket: actor.adminTicket } : {}),
      });
      if (unpacked.problem)
        throw new AppError("BAD_REQUEST", {
          ...said("archiveUnusable", { path: rootfs.path, problem: unpacked.problem }),
          field: "rootfs.path",
        });
      if (unpacked.exitCode !== 0) throw commandFailed({ what: "unpack" }, unpacked);
      const { setuid, setuidCount } = unpacked;
      if (!unpacked.keptSetuid && setuidCount > 0)
        // A setuid program from an archive is root's inside the container: an admin's choice, not a default.
        context.log(
          `stripped setuid/setgid bits from ${setuidCount} file(s): ${setuid
            .map((m) => m.name)
            .join(", ")
            .slice(0, 500)}`,
        );
      await helper.tarball.writeConfig({ name, source: rootfs.path });
    } finally {
      // An uploaded archive is not kept once used; other archives are the admin's.
      if (
        importDirs[0] &&
        path.dirname(file) === path.resolve(importDirs[0]) &&
        UPLOAD_NAME.test(path.basename(file))
      )
        await helper.upload.remove({ name: path.basename(file) });
    }
  },
});

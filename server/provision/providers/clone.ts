import { AppError, said } from "../../errors";
import { commandFailed } from "./failed";
import type { TProviderDeps, TRootfsProvider } from "./types";
import { phase } from "../../i18n/job-phases";

/** lxc-copy of a stopped container: a full copy, or an overlay snapshot clone. */
export const cloneProvider = ({ lxc, helper, containers }: TProviderDeps): TRootfsProvider<"clone"> => ({
  busyboxInit: true,
  check: async (rootfs, form) => {
    if (rootfs.snapshot && form.access?.rootPassword)
      throw new AppError("BAD_REQUEST", {
        ...said("overlayCloneRootPassword"),
        field: "access.rootPassword",
      });
    const row = (await containers.list()).find((entry) => entry.name === rootfs.source);
    if (!row)
      throw new AppError("BAD_REQUEST", {
        ...said("cloneSourceNotFound", { name: rootfs.source }),
        field: "rootfs.source",
      });
    if (row.state !== "STOPPED")
      throw new AppError("PRECONDITION_FAILED", {
        ...said("cloneSourceNotStopped", { name: rootfs.source, state: row.state.toLowerCase() }),
        field: "rootfs.source",
      });
  },
  make: async (name, rootfs, context) => {
    context.setProgress(null, rootfs.snapshot ? phase("overlayClone") : phase("copyingRootfs"));
    const result = await context.stream(helper.jobs.copy, {
      source: rootfs.source,
      name,
      snapshot: rootfs.snapshot,
    });
    if (result.exitCode !== 0 || !(await lxc.exists(name)))
      throw commandFailed({ what: "copy", source: rootfs.source }, result);
  },
});

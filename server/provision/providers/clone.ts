import { AppError } from "../../errors";
import { commandFailed } from "./failed";
import type { TProviderDeps, TRootfsProvider } from "./types";

/** lxc-copy of a stopped container: a full copy, or an overlay snapshot clone. */
export const cloneProvider = ({ lxc, helper, containers }: TProviderDeps): TRootfsProvider<"clone"> => ({
  busyboxInit: true,
  check: async (rootfs, form) => {
    if (rootfs.snapshot && form.access?.rootPassword)
      throw new AppError("BAD_REQUEST", {
        message: "A root password cannot be set in an overlay clone as it is made",
        hint: "Set it in the source container, use a full copy, or give an SSH key instead.",
        field: "access.rootPassword",
      });
    const row = (await containers.list()).find((entry) => entry.name === rootfs.source);
    if (!row)
      throw new AppError("BAD_REQUEST", {
        message: `There is no container named "${rootfs.source}"`,
        field: "rootfs.source",
      });
    if (row.state !== "STOPPED")
      throw new AppError("PRECONDITION_FAILED", {
        message: `"${rootfs.source}" is ${row.state.toLowerCase()}: LXC clones only stopped containers`,
        hint: "Stop it first, then clone it.",
        field: "rootfs.source",
      });
  },
  make: async (name, rootfs, context) => {
    context.setProgress(
      null,
      rootfs.snapshot ? "making an overlay snapshot clone" : "copying the root filesystem",
    );
    const result = await context.stream(helper.jobs.copy, {
      source: rootfs.source,
      name,
      snapshot: rootfs.snapshot,
    });
    if (result.exitCode !== 0 || !(await lxc.exists(name)))
      throw commandFailed(`lxc-copy of ${rootfs.source}`, result);
  },
});

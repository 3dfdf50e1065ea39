import type { TProviderDeps, TRootfsProvider } from "./types";
import { phase } from "../../i18n/job-phases";

/**
 * A container from an imported config (the config page's "import as new"): the text is checked before anything is
 * made (400 with its problems, 403 for a line the role may not write), then a busybox root filesystem is made and the
 * imported config replaces the template's through the config's write path, which checks it once more.
 */
export const importedConfigProvider = ({ lxc, config }: TProviderDeps): TRootfsProvider<"config"> => ({
  busyboxInit: true,
  check: async (rootfs, _form, actor, name) => {
    await config.checkImport({ name, raw: rootfs.raw, role: actor.role });
  },
  make: async (name, rootfs, context, actor) => {
    context.setProgress(null, phase("creatingBusybox"));
    await lxc.create(name, { template: "busybox" });
    context.setProgress(90, phase("writingImportedConfig"));
    await config.writeImport({
      name,
      raw: rootfs.raw,
      actor: actor.username,
      role: actor.role,
      adminTicket: actor.adminTicket,
    });
  },
});

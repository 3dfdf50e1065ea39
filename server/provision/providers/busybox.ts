import type { TProviderDeps, TRootfsProvider } from "./types";
import { phase } from "../../i18n/job-phases";

/** LXC's busybox template: a few megabytes, made in a second. */
export const busyboxProvider = ({ lxc }: TProviderDeps): TRootfsProvider<"busybox"> => ({
  busyboxInit: true,
  make: async (name, _rootfs, context) => {
    context.setProgress(null, phase("creatingBusybox"));
    await lxc.create(name, { template: "busybox" });
  },
});

import type { TProviderDeps, TRootfsProvider } from "./types";

/** LXC's busybox template: a few megabytes, made in a second. */
export const busyboxProvider = ({ lxc }: TProviderDeps): TRootfsProvider<"busybox"> => ({
  busyboxInit: true,
  make: async (name, _rootfs, context) => {
    context.setProgress(null, "creating the busybox root filesystem");
    await lxc.create(name, { template: "busybox" });
  },
});

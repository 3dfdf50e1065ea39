import { busyboxProvider } from "./busybox";
import { cloneProvider } from "./clone";
import { debianProvider } from "./debian";
import { importedConfigProvider } from "./imported-config";
import { tarballProvider } from "./tarball";
import type { TProviderDeps, TProviders } from "./types";

export type { TForm, TProviders, TRootfsProvider } from "./types";
export { debianProgress } from "./debian";

/** Every root filesystem provider, by the form's `rootfs.kind`. */
export const createProviders = (deps: TProviderDeps) => {
  const debian = debianProvider(deps);
  const providers: TProviders = {
    busybox: busyboxProvider(deps),
    debian,
    tarball: tarballProvider(deps),
    clone: cloneProvider(deps),
    config: importedConfigProvider(deps),
  };
  return { providers, isDebianBusy: debian.isBusy };
};

import type { z } from "zod";
import type { TActor } from "../../auth/roles";
import type { TContainerService } from "../../containers/service";
import type { THelper } from "../../helper-client";
import type { TJobContext } from "../../jobs/jobs";
import type { TLxcDriver } from "../../helper-client/lxc";
import type { TConfigService } from "../../lxc-config/service";
import type { ZCreateForm } from "../../schemas/create-container";

/**
 * A root filesystem provider: one kind of the creation form's `rootfs` (busybox, debian, tarball, clone, an
 * imported config). The provisioner (../service.ts) runs every creation the same way: the provider's checks before
 * anything runs, under the container's lock; its `make` in the job (the container's directory, root filesystem and first config, all
 * through the helper); then the form's settings and access, the same for every kind; and on a failure, the
 * container destroyed and the provider's own `cleanup`.
 */
export type TForm = z.output<typeof ZCreateForm>;
export type TRootfsKind = TForm["rootfs"]["kind"];
export type TRootfsOf<K extends TRootfsKind> = Extract<TForm["rootfs"], { kind: K }>;

export type TRootfsProvider<K extends TRootfsKind> = {
  /** Refusals that can be known before anything runs (4xx naming the field); the form as a whole for context. */
  check?: (rootfs: TRootfsOf<K>, form: TForm, actor: TActor, name: string) => Promise<void>;
  /** Makes the container (directory, root filesystem, first config); progress and log lines on the job. */
  make: (name: string, rootfs: TRootfsOf<K>, context: TJobContext, actor: TActor) => Promise<void>;
  /** After a failed, cancelled or interrupted creation, once the half-made container is gone. */
  cleanup?: (rootfs: TRootfsOf<K>) => Promise<void>;
  /** Whether the guest boots busybox's init (whose rcS Atelier writes). */
  busyboxInit: boolean;
};

export type TProviderDeps = {
  lxc: TLxcDriver;
  helper: THelper;
  containers: Pick<TContainerService, "list">;
  config: Pick<TConfigService, "checkImport" | "writeImport">;
  importDirs: string[];
};

export type TProviders = { [K in TRootfsKind]: TRootfsProvider<K> };

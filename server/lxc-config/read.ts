import type { TLxcDriver } from "../lxc";
import { versionOf } from "./changes";

/** A container's config as it is on disk, with its version (what a save must be based on). */
export const createConfigReader =
  ({
    lxc,
    readConfig,
  }: {
    lxc: Pick<TLxcDriver, "configPath" | "exists" | "notFound">;
    /** Reads a container's config file (in the helper: config.read; the container's directory is root's). */
    readConfig: (name: string) => Promise<string>;
  }) =>
  async (name: string) => {
    if (!(await lxc.exists(name))) throw lxc.notFound(name);
    const path = lxc.configPath(name);
    const raw = await readConfig(name);
    return { name, path, raw, version: versionOf(raw) };
  };

export type TReadConfig = ReturnType<typeof createConfigReader>;

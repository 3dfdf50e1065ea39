import type { TLxcDriver } from "../helper-client/lxc";
import { versionOf } from "./changes";

/**
 * A container's config as it is on disk, with its version (what a save must be based on). One call to the helper:
 * its config.read finds a missing container itself (NOT_FOUND, as the driver says it), so nobody asks first.
 */
export const createConfigReader =
  ({
    lxc,
    readConfig,
  }: {
    lxc: Pick<TLxcDriver, "configPath">;
    /** Reads a container's config file (in the helper: config.read; the container's directory is root's). */
    readConfig: (name: string) => Promise<string>;
  }) =>
  async (name: string) => {
    const raw = await readConfig(name);
    return { name, path: lxc.configPath(name), raw, version: versionOf(raw) };
  };

export type TReadConfig = ReturnType<typeof createConfigReader>;

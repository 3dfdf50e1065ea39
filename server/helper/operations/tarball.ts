import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../../errors";
import { containerNotFound } from "../../lxc";
import type { TBeingMade } from "../being-made";
import type { THandlers } from "../contract/define";
import type { tarballContract } from "../contract/tarball";

/**
 * A tarball container's directories and config (the contract: ../contract/tarball.ts); jobs.unpackTarball unpacks
 * the archive between the two. Paths are computed here from the container's name; the config is fixed text (the
 * admin's default config, LXC's common config, the container's paths and a comment that cannot hold a line break).
 */
/** Control characters: liblxc ends a line at \n, \r and NUL, so none of them may reach a comment it writes. */
const CONTROL = /\p{Cc}/gu;
const COMMON_CONFIG = "/usr/share/lxc/config/common.conf";

export const tarballOperations = ({
  lxcPath,
  containerConfig,
  beingMade,
}: {
  lxcPath: string;
  /** The admin's default config for new containers (ATELIER_CONTAINER_CONFIG). */
  containerConfig?: string | undefined;
  beingMade: TBeingMade;
}) => {
  const dirOf = (name: string) => path.join(lxcPath, name);
  return {
    /** With LXC's modes: the container's directory 0770, its rootfs 0755. */
    prepare: async ({ name }) => {
      const dir = dirOf(name);
      if (await stat(dir).catch(() => null))
        throw new AppError("CONFLICT", { ...said("containerDirExists", { dir }), field: "name" });
      await mkdir(dir, { mode: 0o770 });
      await chmod(dir, 0o770);
      await mkdir(path.join(dir, "rootfs"), { mode: 0o755 });
      await chmod(path.join(dir, "rootfs"), 0o755);
      beingMade.mark(name);
      return null;
    },
    writeConfig: async ({ name, source }) => {
      const dir = dirOf(name);
      if (!(await stat(path.join(dir, "rootfs")).catch(() => null))?.isDirectory())
        throw containerNotFound(lxcPath, name);
      // Only for a container being made: an existing config is never replaced this way.
      if ((await stat(path.join(dir, "config")).catch(() => null))?.isFile())
        throw new AppError("CONFLICT", { ...said("configExists", { name }), field: "name" });
      const base = containerConfig ? await readFile(containerConfig, "utf8").catch(() => "") : "";
      const hasCommon = (await stat(COMMON_CONFIG).catch(() => null)) !== null;
      await writeFile(
        path.join(dir, "config"),
        [
          // The one part of the caller's: a comment, with nothing that could end its line for liblxc.
          `# Made by Atelier from ${source.replace(CONTROL, "")}`,
          ...(hasCommon ? [`lxc.include = ${COMMON_CONFIG}`] : []),
          base.trim(),
          `lxc.rootfs.path = dir:${path.join(dir, "rootfs")}`,
          `lxc.uts.name = ${name}`,
          "",
        ]
          .filter((line) => line !== "")
          .join("\n")
          .concat("\n"),
        { mode: 0o640 },
      );
      return null;
    },
  } satisfies THandlers<typeof tarballContract>;
};

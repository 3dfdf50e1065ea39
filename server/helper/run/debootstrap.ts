import path from "node:path";
import { isValidContainerName } from "../../schemas/container-name";
import { ZRootfs } from "../../schemas/create-container";
import { DEBIAN_KEYRING } from "../../schemas/debian";
import { runCommand } from "../commands";
import type { TOperationContext } from "../operation";

/**
 * A Debian container, made by LXC's debian template (`lxc-create -t debian`, which runs debootstrap): the arguments
 * and the environment are made here from the typed input, checked again. The archive is checked against Debian's
 * keyring (never downloaded), the template's cache is Atelier's (ATELIER_LXC_CACHE), and the security mirror sits
 * next to the chosen mirror. An admin's proxy settings pass through, named one by one.
 */
/** A first run downloads ~300 MB and takes ~5 min on a loaded 2-core host; a slow mirror takes longer. */
const TIMEOUT_MS = 30 * 60 * 1000;
const PROXY_VARIABLES = ["http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"];

const ZDebian = ZRootfs.options[1];
type TDebianRootfs = ReturnType<typeof ZDebian.parse>;

export type TDebianCreation = {
  lxcPath: string;
  /** Config file new containers start from (lxc-create -f). */
  containerConfig?: string | undefined;
  /** LXC's template cache. */
  cacheDir: string;
  name: string;
  rootfs: TDebianRootfs;
};

const absolute = (what: string, value: string) => {
  if (!path.isAbsolute(value) || path.normalize(value) !== value || value.includes("\0"))
    throw new Error(
      `debian creation: the ${what} must be a plain absolute path, not ${JSON.stringify(value)}`,
    );
  return value;
};

/** The command and its environment (exported for tests: what runs as root). */
export const debianCreationCommand = ({
  lxcPath,
  containerConfig,
  cacheDir,
  name,
  rootfs,
}: TDebianCreation) => {
  if (!isValidContainerName(name))
    throw new Error(`debian creation: not a container name: ${JSON.stringify(name)}`);
  const { release, arch, mirror, packages } = ZDebian.parse(rootfs);
  const args = ["-P", absolute("lxcpath", lxcPath), "-l", "ERROR", "-n", name, "-t", "debian"];
  if (containerConfig) args.push("-f", absolute("container config", containerConfig));
  args.push("--", "-r", release, "-a", arch, `--mirror=${mirror}`);
  if (packages.length > 0) args.push(`--packages=${packages.join(",")}`);
  const env: Record<string, string> = {
    KEYRING: DEBIAN_KEYRING,
    DOWNLOAD_KEYRING: "0",
    LXC_CACHE_PATH: absolute("cache directory", cacheDir),
    SECURITY_MIRROR: mirror.replace(/\/debian\/?$/, "/debian-security"),
    DEBIAN_FRONTEND: "noninteractive",
  };
  for (const variable of PROXY_VARIABLES) {
    const value = process.env[variable];
    if (value) env[variable] = value;
  }
  return { program: "lxc-create" as const, args, env };
};

export const createDebian = (creation: TDebianCreation, context: TOperationContext) => {
  const { program, args, env } = debianCreationCommand(creation);
  return runCommand(program, args, context, { timeoutMs: TIMEOUT_MS, env, package: "lxc-templates" });
};

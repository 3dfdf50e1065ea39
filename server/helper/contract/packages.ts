import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import {
  MAX_SEARCH_RESULTS,
  ZFoundPackage,
  ZInstalledPackage,
  ZPackageAction,
  ZPackageManager,
  ZPackageNames,
  ZPackageQuery,
} from "../../schemas/packages";
import { op } from "./define";
import { ZJobItem } from "./jobs";
import { ZOptionalTicket } from "./ticket";

/**
 * Packages inside a running container: its own package manager (dpkg and apt-get on Debian, apk on Alpine) run by
 * `lxc-attach --clear-env -- ARGV` with fixed argument arrays (the package names validated, after `--`). Nothing of
 * the container runs on the host. Reading (detect, list, search) needs no ticket; changing a privileged container's
 * packages (its root is the host's) needs an admin's, as its shell does.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const ZPackageManagerFound = ZPackageManager.nullable();

export const packagesContract = {
  detect: op({
    input: z.object({ name: ZContainerName }).strict(),
    output: z.object({ manager: ZPackageManagerFound, isRunning: z.boolean() }).strict(),
    timeoutMs: 30 * SECOND,
    summary:
      "Which package manager a running container has (dpkg-query, then apk, asked inside it for their version); null when none (busybox)",
  }),
  list: op({
    input: z.object({ name: ZContainerName }).strict(),
    output: z
      .object({ manager: ZPackageManagerFound, packages: z.array(ZInstalledPackage).max(100_000) })
      .strict(),
    timeoutMs: 60 * SECOND,
    summary: "A running container's installed packages (dpkg-query -W, or apk list --installed), inside it",
  }),
  search: op({
    input: z.object({ name: ZContainerName, query: ZPackageQuery }).strict(),
    output: z
      .object({
        manager: ZPackageManagerFound,
        results: z.array(ZFoundPackage).max(MAX_SEARCH_RESULTS),
        /** How many matched in all (more than results when they were cut). */
        total: z.number().int().nonnegative(),
      })
      .strict(),
    timeoutMs: 60 * SECOND,
    summary:
      "The container's configured repositories searched (apt-cache search, or apk search -v), at most 200 results, each marked installed or not",
  }),
  apply: op({
    input: z
      .object({
        name: ZContainerName,
        action: ZPackageAction,
        /** Empty for a full upgrade; at least one name to install or remove. */
        packages: ZPackageNames,
        ticket: ZOptionalTicket,
      })
      .strict(),
    output: z.object({ exitCode: z.number().int(), manager: ZPackageManager }).strict(),
    item: ZJobItem,
    ticket: "when",
    ticketWhen: "the running container is privileged (its init's uid or gid map reaches host id 0)",
    // apt-get update, then the change: each command has its own limit (30 min).
    timeoutMs: 65 * MINUTE,
    summary:
      "Install, remove or upgrade packages inside a running container (apt-get update then apt-get -y, DEBIAN_FRONTEND=noninteractive; or apk add/del/upgrade), its lines streamed, its process group killed on cancel",
  }),
};

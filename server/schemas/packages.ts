import { z } from "zod";
import { ZContainerName } from "./container-name";
import { says } from "./issue-words";

/**
 * Packages inside a container (dpkg/apt on Debian, apk on Alpine): what the pages, the API and the helper agree on.
 * Pure (the browser's forms use it too).
 */

/** The package managers Atelier drives inside a container; null is a container with none (busybox). */
export const ZPackageManager = z.enum(["dpkg", "apk"]);
export type TPackageManager = z.infer<typeof ZPackageManager>;

export const ZPackageAction = z.enum(["install", "remove", "upgrade"]);
export type TPackageAction = z.infer<typeof ZPackageAction>;

/**
 * A package as apt-get and apk take it on their command line: Debian's name rules (lower-case letters, digits,
 * + - .; starting with a letter or digit, so never an option), with an optional `:arch` and `=version` (apt-get's
 * pins; apk reads `name=version` the same way). Nothing a shell or an option parser would read as anything else.
 */
export const PACKAGE_NAME_PATTERN =
  /^[a-z0-9][a-z0-9+.-]*(:[a-z0-9][a-z0-9-]*)?(=[A-Za-z0-9][A-Za-z0-9.+~:_-]*)?$/;
export const ZPackageName = z
  .string()
  .min(1, says("validation.packages.name"))
  .max(200, says("validation.text.atMost", { max: 200 }))
  .regex(PACKAGE_NAME_PATTERN, says("validation.packages.name"));

/** At most this many packages in one install or remove. */
export const MAX_PACKAGES = 100;
export const ZPackageNames = z
  .array(ZPackageName)
  .max(MAX_PACKAGES, says("validation.packages.tooMany", { max: MAX_PACKAGES }));

/** A search: words as apt-cache and apk search take them (a regular expression to apt-cache, kept to plain text). */
export const ZPackageQuery = z
  .string()
  .trim()
  .min(2, says("validation.packages.query"))
  .max(100, says("validation.text.atMost", { max: 100 }))
  .regex(/^[A-Za-z0-9][A-Za-z0-9+._-]*$/, says("validation.packages.query"));

/** The most results a search returns (the rest are counted). */
export const MAX_SEARCH_RESULTS = 200;

export const ZInstalledPackage = z
  .object({ name: z.string(), version: z.string(), arch: z.string(), summary: z.string() })
  .strict();
export type TInstalledPackage = z.infer<typeof ZInstalledPackage>;

export const ZFoundPackage = z
  .object({ name: z.string(), version: z.string(), summary: z.string(), isInstalled: z.boolean() })
  .strict();
export type TFoundPackage = z.infer<typeof ZFoundPackage>;

/** The web tier's requests (the pages' forms reuse them). */
export const ZPackagesTarget = z.object({ name: ZContainerName }).strict();
export const ZPackagesSearchRequest = z.object({ name: ZContainerName, query: ZPackageQuery }).strict();
export const ZPackagesChangeRequest = z
  .object({
    name: ZContainerName,
    packages: ZPackageNames.min(1, says("validation.packages.none")),
    /** For a stopped container: start it, do the work, stop it again. */
    temporaryStart: z.boolean().optional(),
  })
  .strict();
export type TPackagesChangeRequest = z.infer<typeof ZPackagesChangeRequest>;
export const ZPackagesUpgradeRequest = z
  .object({
    name: ZContainerName,
    /** Empty (or absent): everything upgradable. */
    packages: ZPackageNames.optional(),
    temporaryStart: z.boolean().optional(),
  })
  .strict();
export type TPackagesUpgradeRequest = z.infer<typeof ZPackagesUpgradeRequest>;

/**
 * A package manager's progress as a job's log shows it ("[dpkg 20%] Unpacking atelier-hello (amd64)", "[download
 * 92%] Retrieving file 4 of 5"): the helper writes apt's status lines so, and the web tier reads them back.
 */
export type TStatusKind = "download" | "dpkg" | "error";
export const statusLine = (status: { kind: TStatusKind; percent: number; message: string }) =>
  `[${status.kind} ${status.percent}%] ${status.message}`;

/** What a line `statusLine` wrote says, or null for any other line. */
export const progressOfLine = (line: string): { kind: TStatusKind; percent: number } | null => {
  const match = /^\[(download|dpkg|error) (\d{1,3})%\] /.exec(line);
  if (!match) return null;
  return { kind: match[1] as TStatusKind, percent: Math.min(100, Number(match[2])) };
};

/** The line the helper writes before each command it runs for a change ("$ apt-get update"). */
export const commandLine = (argv: readonly string[]) => `$ ${argv.join(" ")}`;
export const isCommandLine = (line: string) => line.startsWith("$ ");

import type { TFoundPackage, TInstalledPackage } from "../schemas/packages";
import { PACKAGE_NAME_PATTERN } from "../schemas/packages";

/**
 * What the guests' package managers print, read (pure: tests feed captured output). The programs run inside the
 * container and their output is the guest's to shape: every reader takes lines apart without trusting them (a line
 * that does not fit is skipped), and names that go back to a command line are checked against the package name rule.
 */

/** The dpkg-query format the helper asks for: status, name, version, architecture, one-line summary. */
export const DPKG_LIST_FORMAT =
  "${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\t${binary:Summary}\\n";

/** Status letters (the second of db:Status-Abbrev) of a package whose files are on disk, even half done. */
const ON_DISK = new Set(["i", "U", "F", "H", "W", "t"]);

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** `dpkg-query -W -f DPKG_LIST_FORMAT`: the packages installed (not those removed with their config files left). */
export const parseDpkgList = (text: string): TInstalledPackage[] => {
  const packages: TInstalledPackage[] = [];
  for (const line of text.split("\n")) {
    const [status, name, version, arch, ...summary] = line.split("\t");
    if (!status || !name || version === undefined || arch === undefined) continue;
    if (!ON_DISK.has(status.charAt(1))) continue;
    packages.push({ name, version, arch, summary: summary.join("\t").trim() });
  }
  return packages.sort(byName);
};

/** `apt-cache search QUERY`: "name - summary" lines. */
export const parseAptSearch = (text: string): { name: string; summary: string }[] => {
  const found: { name: string; summary: string }[] = [];
  for (const line of text.split("\n")) {
    const at = line.indexOf(" - ");
    if (at <= 0) continue;
    const name = line.slice(0, at);
    if (!PACKAGE_NAME_PATTERN.test(name)) continue;
    found.push({ name, summary: line.slice(at + 3).trim() });
  }
  return found;
};

/** `apt-cache show --no-all-versions NAME…`: each record's Package and Version (the candidate's). */
export const parseAptShowVersions = (text: string): Map<string, string> => {
  const versions = new Map<string, string>();
  let name: string | null = null;
  for (const line of text.split("\n")) {
    if (line === "") name = null;
    else if (line.startsWith("Package: ")) name = line.slice(9).trim();
    else if (line.startsWith("Version: ") && name && !versions.has(name))
      versions.set(name, line.slice(9).trim());
  }
  return versions;
};

/**
 * Search results in a useful order (the exact name, then names starting with the query, then names containing
 * it, then matches in the description only), each with the order's ties broken by name; at most `max`.
 */
export const rankResults = <T extends { name: string }>(results: T[], query: string, max: number) => {
  const needle = query.toLowerCase();
  const rank = (name: string) =>
    name === needle ? 0 : name.startsWith(needle) ? 1 : name.includes(needle) ? 2 : 3;
  return [...results].sort((a, b) => rank(a.name) - rank(b.name) || byName(a, b)).slice(0, max);
};

/** An apk package's "name-version-rN" split in two (the version starts at the last "-" before a digit but one). */
export const splitApkName = (text: string): { name: string; version: string } | null => {
  const match = /^(.+?)-(\d[^-]*-r\d+)$/.exec(text);
  if (!match?.[1] || !match[2]) return null;
  return { name: match[1], version: match[2] };
};

/**
 * `apk list --installed`: "musl-1.2.4-r2 x86_64 {musl} (MIT) [installed]"; summaries from `apk info -vv`
 * ("musl-1.2.4-r2 - the musl c library (libc) implementation"), joined by name and version.
 */
export const parseApkList = (listText: string, infoText: string): TInstalledPackage[] => {
  const summaries = new Map<string, string>();
  for (const line of infoText.split("\n")) {
    const at = line.indexOf(" - ");
    if (at > 0) summaries.set(line.slice(0, at), line.slice(at + 3).trim());
  }
  const packages: TInstalledPackage[] = [];
  for (const line of listText.split("\n")) {
    const [full, arch] = line.split(" ");
    if (!full || !arch || !line.includes("[installed")) continue;
    const split = splitApkName(full);
    if (!split) continue;
    packages.push({ ...split, arch, summary: summaries.get(full) ?? "" });
  }
  return packages.sort(byName);
};

/** `apk search -v QUERY`: "name-version - description" lines. */
export const parseApkSearch = (text: string): { name: string; version: string; summary: string }[] => {
  const found: { name: string; version: string; summary: string }[] = [];
  for (const line of text.split("\n")) {
    const at = line.indexOf(" - ");
    const split = splitApkName(at > 0 ? line.slice(0, at) : line.trim());
    if (!split || !PACKAGE_NAME_PATTERN.test(split.name)) continue;
    found.push({ ...split, summary: at > 0 ? line.slice(at + 3).trim() : "" });
  }
  return found;
};

/** Search results marked installed or not, from the installed list's names. */
export const markInstalled = (
  results: { name: string; version: string; summary: string }[],
  installed: readonly { name: string }[],
): TFoundPackage[] => {
  const names = new Set(installed.map((entry) => entry.name));
  return results.map((result) => ({ ...result, isInstalled: names.has(result.name) }));
};

/**
 * apt's machine-readable status lines (APT::Status-Fd): "dlstatus:4:92.0000:Retrieving file 4 of 5",
 * "pmstatus:atelier-hello:20.0000:Unpacking atelier-hello (amd64)", "pmerror:…", "pmconffile:…". Null for any other
 * line. The percentage is of the current command's own work (a download, then dpkg's).
 */
export const parseAptStatus = (
  line: string,
): { kind: "download" | "dpkg" | "error"; percent: number; message: string } | null => {
  const match = /^(dlstatus|pmstatus|pmerror|pmconffile):([^:]*):([0-9.]+):(.*)$/.exec(line);
  if (!match) return null;
  const percent = Math.max(0, Math.min(100, Math.round(Number(match[3]))));
  const kind = match[1] === "dlstatus" ? "download" : match[1] === "pmstatus" ? "dpkg" : "error";
  return { kind, percent: Number.isFinite(percent) ? percent : 0, message: (match[4] ?? "").trim() };
};

import { describe, expect, it } from "vitest";
import { progressOfLine, statusLine, ZPackageName, ZPackageQuery } from "../schemas/packages";
import { changeCommands } from "./operations/packages";
import {
  markInstalled,
  parseApkList,
  parseApkSearch,
  parseAptSearch,
  parseAptShowVersions,
  parseAptStatus,
  parseDpkgList,
  rankResults,
  splitApkName,
} from "./package-output";

// Captured from a bookworm container of the test cache (lxc-attach -- dpkg-query -W -f DPKG_LIST_FORMAT), with an
// "rc" line (removed, its config files left) as `apt-get remove` leaves one.
const DPKG_LIST = [
  "ii \tadduser\t3.134\tall\tadd and remove users and groups",
  "ii \tapt\t2.6.1\tamd64\tcommandline package manager",
  "ii \tbase-files\t12.4+deb12u15\tamd64\tDebian base system miscellaneous files",
  "rc \tatelier-hello\t1.0\tall\tAtelier test package",
  "ii \tbash\t5.2.15-2+b13\tamd64\tGNU Bourne Again SHell",
  "iU \thalf-done\t2\tamd64\tunpacked, not configured",
  "",
].join("\n");

// Captured: apt-get install -y -o Dpkg::Use-Pty=0 -o APT::Status-Fd=1 -- atelier-hello, from the stand-in repository.
const APT_INSTALL = `Reading package lists...
Building dependency tree...
The following NEW packages will be installed:
  atelier-hello
dlstatus:1:0.0000:Retrieving file 1 of 1
dlstatus:1:0.0000:Retrieving file 1 of 1
0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.
Get:1 http://10.213.0.1:8765 ./ atelier-hello 1.0 [752 B]
dlstatus:1:100.0000:Retrieving file 1 of 1
pmstatus:dpkg-exec:0.0000:Running dpkg
pmstatus:atelier-hello:20.0000:Unpacking atelier-hello (amd64)
pmstatus:atelier-hello:66.6667:Removing atelier-hello (amd64)
pmstatus:atelier-hello:80.0000:Installed atelier-hello (amd64)`;

describe("dpkg and apt output", () => {
  it("lists what dpkg has installed, sorted, without packages removed down to their config files", () => {
    const packages = parseDpkgList(DPKG_LIST);
    expect(packages.map((entry) => entry.name)).toEqual([
      "adduser",
      "apt",
      "base-files",
      "bash",
      "half-done",
    ]);
    expect(packages[3]).toEqual({
      name: "bash",
      version: "5.2.15-2+b13",
      arch: "amd64",
      summary: "GNU Bourne Again SHell",
    });
  });

  it("skips lines that do not fit instead of guessing", () => {
    expect(parseDpkgList("garbage\n\tonly\ttabs\nii \tx")).toEqual([]);
  });

  it("reads apt-cache search lines and drops names no command line should take", () => {
    const found = parseAptSearch(
      "bash - GNU Bourne Again SHell\nbash-doc - Documentation and examples for the GNU Bourne Again SHell\n-oAPT::x - hostile\nnot a line\n",
    );
    expect(found).toEqual([
      { name: "bash", summary: "GNU Bourne Again SHell" },
      { name: "bash-doc", summary: "Documentation and examples for the GNU Bourne Again SHell" },
    ]);
  });

  it("reads the candidates' versions from apt-cache show", () => {
    const versions = parseAptShowVersions(
      "Package: atelier-hello\nVersion: 1.0\nArchitecture: all\nDescription: x\n\nPackage: bash\nSource: bash\nVersion: 5.2.15-2+b7\n",
    );
    expect([...versions]).toEqual([
      ["atelier-hello", "1.0"],
      ["bash", "5.2.15-2+b7"],
    ]);
  });

  it("ranks the exact name first, then prefixes, then names containing the query, then the rest, bounded", () => {
    const ranked = rankResults(
      [
        { name: "abs-guide" },
        { name: "python3-bash" },
        { name: "bash-doc" },
        { name: "bash" },
        { name: "bats" },
      ],
      "bash",
      4,
    );
    expect(ranked.map((entry) => entry.name)).toEqual(["bash", "bash-doc", "python3-bash", "abs-guide"]);
  });

  it("turns apt's status lines into progress lines, and leaves other lines alone", () => {
    const lines = APT_INSTALL.split("\n").map((line) => {
      const status = parseAptStatus(line);
      return status ? statusLine(status) : line;
    });
    expect(lines).toContain("[dpkg 20%] Unpacking atelier-hello (amd64)");
    expect(lines).toContain("[dpkg 67%] Removing atelier-hello (amd64)");
    expect(lines).toContain("Get:1 http://10.213.0.1:8765 ./ atelier-hello 1.0 [752 B]");
    expect(progressOfLine("[dpkg 80%] Installed atelier-hello (amd64)")).toEqual({
      kind: "dpkg",
      percent: 80,
    });
    expect(lines).toContain("[download 100%] Retrieving file 1 of 1");
    expect(progressOfLine("Get:1 http://x [752 B]")).toBeNull();
    expect(parseAptStatus("pmerror:/var/cache/apt/archives/x.deb:50.0000:trying to overwrite")).toEqual({
      kind: "error",
      percent: 50,
      message: "trying to overwrite",
    });
  });
});

describe("apk output (its documented format)", () => {
  it("splits name and version at the version's start", () => {
    expect(splitApkName("musl-1.2.4-r2")).toEqual({ name: "musl", version: "1.2.4-r2" });
    expect(splitApkName("py3-setuptools-70.3.0-r0")).toEqual({
      name: "py3-setuptools",
      version: "70.3.0-r0",
    });
    expect(splitApkName("ca-certificates-bundle-20240226-r0")).toEqual({
      name: "ca-certificates-bundle",
      version: "20240226-r0",
    });
    expect(splitApkName("nodash")).toBeNull();
  });

  it("lists installed packages with their summaries from apk info -vv", () => {
    const packages = parseApkList(
      "musl-1.2.4-r2 x86_64 {musl} (MIT) [installed]\nbusybox-1.36.1-r15 x86_64 {busybox} (GPL-2.0-only) [installed]\nWARNING: something\n",
      "musl-1.2.4-r2 - the musl c library (libc) implementation\nbusybox-1.36.1-r15 - Size optimized toolbox\n",
    );
    expect(packages).toEqual([
      { name: "busybox", version: "1.36.1-r15", arch: "x86_64", summary: "Size optimized toolbox" },
      {
        name: "musl",
        version: "1.2.4-r2",
        arch: "x86_64",
        summary: "the musl c library (libc) implementation",
      },
    ]);
  });

  it("reads apk search -v and marks what is installed", () => {
    const found = parseApkSearch("curl-8.5.0-r0 - URL retrival utility and library\nbad line\n");
    expect(markInstalled(found, [{ name: "curl" }])).toEqual([
      { name: "curl", version: "8.5.0-r0", summary: "URL retrival utility and library", isInstalled: true },
    ]);
  });
});

describe("package names and commands", () => {
  it("refuses names that an option parser or a shell would read as something else", () => {
    for (const bad of ["-oAPT::Update::Pre-Invoke::=x", "foo;rm", "--purge", "Foo", "a b", "a/b", "", "é"])
      expect(ZPackageName.safeParse(bad).success, bad).toBe(false);
    for (const good of [
      "bash",
      "libc6:amd64",
      "atelier-hello=1.0",
      "g++",
      "python3.11",
      "libstdc++6=12.2.0-14",
    ])
      expect(ZPackageName.safeParse(good).success, good).toBe(true);
    expect(ZPackageQuery.safeParse("-x").success).toBe(false);
    expect(ZPackageQuery.safeParse(" bash ").data).toBe("bash");
  });

  it("puts the names after -- in fixed argument arrays, apt-get update first where packages come in", () => {
    const install = changeCommands("dpkg", "install", ["atelier-hello"]);
    expect(install.map((argv) => argv.slice(0, 2))).toEqual([
      ["apt-get", "update"],
      ["apt-get", "install"],
    ]);
    expect(install[1]?.slice(-2)).toEqual(["--", "atelier-hello"]);
    expect(install[1]).toContain("APT::Status-Fd=1");
    expect(changeCommands("dpkg", "remove", ["x"])).toHaveLength(1);
    expect(changeCommands("dpkg", "upgrade", []).at(-1)?.slice(0, 2)).toEqual(["apt-get", "upgrade"]);
    expect(changeCommands("apk", "install", ["curl"]).at(-1)).toEqual([
      "apk",
      "--no-progress",
      "add",
      "--",
      "curl",
    ]);
    expect(() => changeCommands("apk", "remove", [])).toThrow();
  });
});

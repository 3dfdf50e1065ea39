import { describe, expect, it } from "vitest";
import type { TOperationContext } from "../operation";
import { DEBIAN_KEYRING } from "../../schemas/debian";
import { debianCreationCommand } from "./debootstrap";
import { copyContainer, restoreSnapshotAsNew, restoreSnapshotInPlace, snapshotContainer } from "./lxc-jobs";
import { extractArchive, listArchive } from "./tar";

/** The job modules build what runs as root from typed input, and refuse what does not fit before anything runs. */
const context: TOperationContext = {
  signal: new AbortController().signal,
  emit: () => Promise.reject(new Error("nothing may run in these tests")),
};
const rootfs = {
  kind: "debian" as const,
  release: "bookworm" as const,
  arch: "amd64" as const,
  mirror: "http://deb.debian.org/debian",
  packages: ["openssh-server", "vim"],
};

describe("the Debian creation", () => {
  it("runs the debian template with the chosen release, mirror and packages, and its own environment", () => {
    const command = debianCreationCommand({
      lxcPath: "/var/lib/lxc",
      containerConfig: "/etc/lxc/default.conf",
      cacheDir: "/var/cache/lxc",
      name: "web1",
      rootfs,
    });
    expect(command.program).toBe("lxc-create");
    expect(command.args).toEqual([
      ...["-P", "/var/lib/lxc", "-l", "ERROR", "-n", "web1", "-t", "debian", "-f", "/etc/lxc/default.conf"],
      ...["--", "-r", "bookworm", "-a", "amd64", "--mirror=http://deb.debian.org/debian"],
      "--packages=openssh-server,vim",
    ]);
    expect(command.env).toMatchObject({
      KEYRING: DEBIAN_KEYRING,
      DOWNLOAD_KEYRING: "0",
      LXC_CACHE_PATH: "/var/cache/lxc",
      SECURITY_MIRROR: "http://deb.debian.org/debian-security",
      DEBIAN_FRONTEND: "noninteractive",
    });
  });

  it("refuses a name, mirror or package that the schemas would refuse", () => {
    const base = { lxcPath: "/var/lib/lxc", cacheDir: "/var/cache/lxc", name: "web1", rootfs };
    expect(() => debianCreationCommand({ ...base, name: "-n" })).toThrow(/container name/);
    expect(() => debianCreationCommand({ ...base, name: "../etc" })).toThrow(/container name/);
    expect(() =>
      debianCreationCommand({ ...base, rootfs: { ...rootfs, mirror: "http://x/debian --keyring=/tmp/k" } }),
    ).toThrow();
    expect(() =>
      debianCreationCommand({ ...base, rootfs: { ...rootfs, packages: ["vim,--foo"] } }),
    ).toThrow();
    expect(() => debianCreationCommand({ ...base, cacheDir: "relative/cache" })).toThrow(/absolute path/);
  });
});

describe("the lxc-* jobs and tar", () => {
  it("refuse names, snapshots and paths that do not fit, before anything runs", () => {
    expect(() =>
      copyContainer({ lxcPath: "/l", source: "a", name: "-s", isOverlay: false }, context),
    ).toThrow(/container name/);
    expect(() => snapshotContainer({ lxcPath: "/l", name: "a", commentFile: "comment" }, context)).toThrow(
      /absolute path/,
    );
    expect(() =>
      restoreSnapshotAsNew(
        {
          lxcPath: "/l",
          name: "a",
          snapshotsDir: "/l/a/snaps",
          snapshot: "snap0 -x",
          newName: "b",
          isOverlay: false,
        },
        context,
      ),
    ).toThrow(/snapshot name/);
    expect(() =>
      restoreSnapshotInPlace({ lxcPath: "/l/../etc", name: "a", snapshot: "snap1" }, context),
    ).toThrow(/absolute path/);
    expect(() => listArchive("-f/etc/shadow", context)).toThrow(/absolute path/);
    expect(() => extractArchive("/imports/a.tar", "/l/a/rootfs", { strip: 2 }, context)).toThrow(/strip/);
  });
});

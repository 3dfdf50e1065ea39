import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTar, type TTarSpec } from "@/tests/hostile-tar";
import { checkTarMembers, modeOf, TAR_LIST_ARGS } from "./tar-listing";

/**
 * Archives are built member by member with Python's tarfile (which writes whatever it is told, hostile members
 * included), then listed by the real GNU tar exactly as the tarball provider lists them.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "atelier-t-tarball-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const listingOf = async (specs: TTarSpec[]) => {
  const archive = await writeTar(specs, path.join(dir, `${Math.random().toString(36).slice(2)}.tar`));
  const { stdout } = await execa("tar", [...TAR_LIST_ARGS, archive]);
  return stdout;
};

const ROOTFS: TTarSpec[] = [
  { name: "./", type: "dir" },
  { name: "./bin/", type: "dir" },
  { name: "./bin/busybox", mode: 0o755 },
  { name: "./bin/sh", type: "hardlink", link: "./bin/busybox" },
  { name: "./bin/ls", type: "symlink", link: "busybox" },
  { name: "./etc/", type: "dir" },
  { name: './etc/a "quoted"\nname', mode: 0o644 },
  { name: "./dev/", type: "dir" },
  { name: "./dev/null", type: "chr", dev: [1, 3] },
  { name: "./dev/console", type: "chr", dev: [5, 1] },
  { name: "./dev/initctl", type: "fifo" },
];

describe("tarball checks on real tar listings", () => {
  it("takes a root filesystem archived from inside or as rootfs/, with its harmless device nodes", async () => {
    expect(checkTarMembers(await listingOf(ROOTFS))).toEqual({ problem: null, strip: 0, setuid: [] });
    const wrapped = [{ name: "rootfs/", type: "dir" as const }, { name: "rootfs/usr/bin/sh" }];
    expect(checkTarMembers(await listingOf(wrapped))).toMatchObject({ problem: null, strip: 1 });
  });

  it.each<[string, TTarSpec[], RegExp]>([
    ["a member climbing out", [{ name: "../../etc/cron.d/x" }], /outside the root filesystem/],
    ["an absolute member", [{ name: "/etc/passwd" }], /outside the root filesystem/],
    [
      "a block device (the host's disk)",
      [{ name: "dev/sda", type: "blk", dev: [8, 0] }],
      /device node, dev\/sda \(block 8,0\)/,
    ],
    ["/dev/mem", [{ name: "dev/mem", type: "chr", dev: [1, 1] }], /device node, dev\/mem/],
    ["a host tty", [{ name: "dev/tty0", type: "chr", dev: [4, 0] }], /device node/],
    [
      "a hard link to a host file",
      [{ name: "bin/x", type: "hardlink", link: "/etc/shadow" }],
      /hard link to something outside/,
    ],
    [
      "a hard link climbing out",
      [{ name: "bin/x", type: "hardlink", link: "../../etc/shadow" }],
      /outside the root filesystem|hard link/,
    ],
    [
      "a hard link to a later member",
      [{ name: "bin/x", type: "hardlink", link: "bin/y" }, { name: "bin/y" }],
      /hard link/,
    ],
    [
      "a member through a link of the archive",
      [{ name: "etc", type: "symlink", link: "/etc" }, { name: "etc/cron.d/evil" }],
      /goes through the link etc/,
    ],
    [
      "a member of the same name after a link (written through it with --overwrite)",
      [{ name: "z", type: "symlink", link: "/etc/shadow" }, { name: "z" }],
      /comes again after a link/,
    ],
  ])("refuses %s", async (_what, hostile, problem) => {
    const { problem: found } = checkTarMembers(await listingOf([...ROOTFS, ...hostile]));
    expect(found).toMatch(problem);
  });

  it("refuses an archive that is not a root filesystem, and an empty one", async () => {
    const notes = await listingOf([{ name: "notes.txt" }, { name: "photos/a.jpg" }]);
    expect(checkTarMembers(notes).problem).toMatch(/not a root filesystem/);
    expect(checkTarMembers("").problem).toBe("the archive is empty");
  });

  it("lists setuid and setgid programs to strip, with their modes", async () => {
    const result = checkTarMembers(
      await listingOf([
        ...ROOTFS,
        { name: "./bin/passwd", mode: 0o4755 },
        { name: "./usr/bin/wall", mode: 0o2755 },
        { name: "./tmp/", type: "dir", mode: 0o1777 },
      ]),
    );
    expect(result.problem).toBeNull();
    expect(result.setuid.map((member) => [member.name, modeOf(member.permissions).toString(8)])).toEqual([
      ["bin/passwd", "4755"],
      ["usr/bin/wall", "2755"],
    ]);
  });

  it("reads every permission string as its mode", () => {
    expect(modeOf("rwxr-xr-x")).toBe(0o755);
    expect(modeOf("rwsr-sr-t")).toBe(0o7755);
    expect(modeOf("rwSr-Sr-T")).toBe(0o7644);
    expect(modeOf("rw-------")).toBe(0o600);
  });
});

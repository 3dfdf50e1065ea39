import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfigWithIncludes } from "./config-includes";
import { checkMountCreateBeforeStart, mountCreateProblems } from "./mount-create";

/**
 * The walk of a create= target before a start, as liblxc's mkdir_p / mknod will find it: through the rootfs (each
 * layer), the autodev tmpfs, the proc and sysfs of lxc.mount.auto and the mounts of earlier lines. A link at any
 * component is named; nothing is made anywhere (the "host" directory beside the rootfs stays empty but for its file).
 */
let top: string;
let host: string;
let lxcPath: string;
let rootfs: string;

beforeEach(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-t-mountcreate-"));
  host = path.join(top, "host");
  lxcPath = path.join(top, "lxc");
  rootfs = path.join(lxcPath, "c1", "rootfs");
  await mkdir(host, { recursive: true });
  await writeFile(path.join(host, "file"), "");
  await mkdir(path.join(rootfs, "srv"), { recursive: true });
});
afterEach(async () => {
  await rm(top, { recursive: true, force: true });
});

const configFile = () => path.join(lxcPath, "c1", "config");
const problemsOf = async (lines: string, rootfsPath = `dir:${rootfs}`) => {
  const text = `lxc.rootfs.path = ${rootfsPath}\n${lines}`;
  await writeFile(configFile(), text);
  const problems = await mountCreateProblems(await readConfigWithIncludes(configFile()));
  expect(await readdir(host)).toEqual(["file"]);
  return problems;
};
const whys = async (lines: string, rootfsPath?: string) =>
  (await problemsOf(lines, rootfsPath)).map((problem) => problem.why);

describe("mountCreateProblems", () => {
  it("passes create= targets through real directories, missing ones, and lines without create=", async () => {
    await symlink(host, path.join(rootfs, "evil"));
    expect(
      await whys(
        [
          "lxc.mount.entry = tmpfs srv/a/b tmpfs defaults,create=dir 0 0",
          "lxc.mount.entry = tmpfs new/deep/er tmpfs create=dir 0 0",
          "lxc.mount.entry = tmpfs evil/x tmpfs defaults 0 0",
          "lxc.mount.entry = tmpfs ./srv//c/ tmpfs create=file,optional 0 0",
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  it.each([
    ["the first component, absolute to a host directory", "evil", () => host, "evil/made-dir"],
    [
      "the first component, a relative ../ chain",
      "evil",
      () => `../../../../../../..${host}`,
      "evil/made-dir",
    ],
    ["a deeper component", "srv/evil", () => host, "srv/evil/a/b"],
    ["the last component", "srv/evil", () => path.join(host, "nothing"), "srv/evil"],
    ["a link inside the rootfs (liblxc follows it on the host)", "srv/var", () => "/srv", "srv/var/run"],
  ])("names a link at %s", async (_, at, target, entryTarget) => {
    await symlink(target(), path.join(rootfs, at));
    for (const option of ["create=dir", "create=file", "defaults,create=dir=x,optional"]) {
      const problems = await problemsOf(`lxc.mount.entry = tmpfs ${entryTarget} tmpfs ${option} 0 0\n`);
      expect(problems).toEqual([
        {
          line: 2,
          file: configFile(),
          value: `tmpfs ${entryTarget} tmpfs ${option} 0 0`,
          why: `${at} is a symbolic link (in the root filesystem, ${rootfs})`,
        },
      ]);
    }
  });

  it("reads the target as getmntent does (\\040 is a space, tabs separate)", async () => {
    await symlink(host, path.join(rootfs, "my dir"));
    expect(await whys("lxc.mount.entry = tmpfs\tmy\\040dir/x tmpfs\tcreate=dir\t0 0\n")).toEqual([
      `my dir is a symbolic link (in the root filesystem, ${rootfs})`,
    ]);
    // An option that only starts like create=dir is not create=dir (glibc's hasmntopt).
    await symlink(host, path.join(rootfs, "evil"));
    expect(await whys("lxc.mount.entry = tmpfs evil/x tmpfs create=directory,nocreate=dir 0 0\n")).toEqual(
      [],
    );
  });

  it("refuses a target that climbs with ..", async () => {
    expect(await whys("lxc.mount.entry = tmpfs srv/../../x tmpfs create=dir 0 0\n")).toEqual([
      'srv/../../x climbs with ".." from the root filesystem\'s mount',
    ]);
  });

  it("finds create= lines in included files, and none after lxc.mount.entry = cleared them", async () => {
    await symlink(host, path.join(rootfs, "evil"));
    await writeFile(path.join(top, "inc.conf"), "lxc.mount.entry = tmpfs evil/x tmpfs create=dir 0 0\n");
    expect(await problemsOf(`lxc.include = ${top}/inc.conf\n`)).toMatchObject([
      { file: path.join(top, "inc.conf"), line: 1 },
    ]);
    expect(await whys(`lxc.include = ${top}/inc.conf\nlxc.mount.entry =\n`)).toEqual([]);
  });

  it("knows dev is autodev's new tmpfs unless lxc.autodev = 0 (a link at dev itself is refused all the same)", async () => {
    await mkdir(path.join(rootfs, "dev"));
    await symlink(host, path.join(rootfs, "dev/shm"));
    const shm = "lxc.mount.entry = shm dev/shm/x tmpfs rw,create=dir 0 0\n";
    expect(await whys(shm)).toEqual([]);
    expect(await whys(`lxc.autodev = 1\n${shm}`)).toEqual([]);
    for (const off of ["lxc.autodev = 0\n", "lxc.autodev =\n"])
      expect(await whys(`${off}${shm}`)).toEqual([
        `dev/shm is a symbolic link (in the root filesystem, ${rootfs})`,
      ]);
    await rm(path.join(rootfs, "dev"), { recursive: true });
    await symlink(host, path.join(rootfs, "dev"));
    expect(await whys(shm)).toEqual([`dev is a symbolic link (in the root filesystem, ${rootfs})`]);
  });

  it("refuses a target in the proc or sysfs that lxc.mount.auto mounts first (proc/self/root is the host's /)", async () => {
    await mkdir(path.join(rootfs, "proc"));
    const line = "lxc.mount.entry = tmpfs proc/self/root/tmp/x tmpfs create=dir 0 0\n";
    expect(await whys(line)).toEqual([]);
    expect(await whys(`lxc.mount.auto = proc:mixed sys:mixed\n${line}`)).toEqual([
      "proc/self lies in proc, which lxc.mount.auto mounts before it, whose links are not the container's",
    ]);
    expect(await whys(`lxc.mount.auto = proc\nlxc.mount.auto =\n${line}`)).toEqual([]);
    expect(
      await whys(
        "lxc.mount.auto = cgroup:mixed sys:ro\nlxc.mount.entry = tmpfs sys/x tmpfs create=dir 0 0\n",
      ),
    ).toEqual([
      "sys/x lies in sysfs, which lxc.mount.auto mounts before it, whose links are not the container's",
    ]);
  });

  it("walks an earlier bind mount's source, where the link would be followed", async () => {
    const share = path.join(top, "share");
    await mkdir(path.join(share, "ok"), { recursive: true });
    await symlink(host, path.join(share, "evil"));
    await mkdir(path.join(rootfs, "data"));
    const bind = `lxc.mount.entry = ${share} data none bind,create=dir 0 0\n`;
    expect(await whys(`${bind}lxc.mount.entry = tmpfs data/ok/x tmpfs create=dir 0 0\n`)).toEqual([]);
    expect(await whys(`${bind}lxc.mount.entry = tmpfs data/evil/x tmpfs create=dir 0 0\n`)).toEqual([
      `data/evil is a symbolic link (in the bind source ${share})`,
    ]);
    // The same line before the bind mount walks the rootfs, where data/evil does not exist.
    expect(await whys(`lxc.mount.entry = tmpfs data/evil/x tmpfs create=dir 0 0\n${bind}`)).toEqual([]);
  });

  it("takes an earlier tmpfs as empty, and a later mount as hiding the earlier ones below it", async () => {
    await mkdir(path.join(rootfs, "t"));
    await symlink(host, path.join(rootfs, "t/evil"));
    const below = "lxc.mount.entry = tmpfs t/evil/x tmpfs create=dir 0 0\n";
    expect(await whys(`lxc.mount.entry = tmpfs t tmpfs defaults 0 0\n${below}`)).toEqual([]);
    expect(await whys(below)).toHaveLength(1);
    const share = path.join(top, "share");
    await mkdir(share);
    await symlink(host, path.join(share, "evil"));
    expect(
      await whys(
        `lxc.mount.entry = ${share} t none bind 0 0\nlxc.mount.entry = tmpfs t tmpfs defaults 0 0\n${below}`,
      ),
    ).toEqual([]);
    expect(
      await whys(
        `lxc.mount.entry = tmpfs t tmpfs defaults 0 0\nlxc.mount.entry = ${share} t none bind 0 0\n${below}`,
      ),
    ).toEqual([`t/evil is a symbolic link (in the bind source ${share})`]);
    expect(await whys(`lxc.mount.entry = proc t proc defaults 0 0\n${below}`)).toEqual([
      "t/evil lies in the proc filesystem mounted there by an earlier line, whose links are not the container's",
    ]);
  });

  it("looks at every layer of an overlay", async () => {
    const upper = path.join(lxcPath, "c1", "overlay", "delta");
    await mkdir(path.join(upper, "srv"), { recursive: true });
    await symlink(host, path.join(rootfs, "srv/evil"));
    expect(
      await whys("lxc.mount.entry = tmpfs srv/evil/x tmpfs create=dir 0 0\n", `overlay:${rootfs}:${upper}`),
    ).toEqual([`srv/evil is a symbolic link (in the root filesystem, ${rootfs})`]);
    await rm(path.join(rootfs, "srv/evil"));
    await symlink(host, path.join(upper, "srv/evil"));
    expect(
      await whys("lxc.mount.entry = tmpfs srv/evil/x tmpfs create=dir 0 0\n", `overlay:${rootfs}:${upper}`),
    ).toEqual([`srv/evil is a symbolic link (in the root filesystem, ${upper})`]);
  });

  it("refuses a create= line in a root filesystem it cannot look into, and nothing without one", async () => {
    expect(await whys("lxc.mount.entry = tmpfs x tmpfs create=dir 0 0\n", "btrfs:/somewhere")).toEqual([
      "the root filesystem (btrfs:/somewhere) is not a directory or an overlay Atelier can look into",
    ]);
    expect(await whys("lxc.mount.entry = tmpfs x tmpfs defaults 0 0\n", "btrfs:/somewhere")).toEqual([]);
  });
});

describe("checkMountCreateBeforeStart", () => {
  it("refuses naming the line and what to do, and passes a config without such lines", async () => {
    await symlink(host, path.join(rootfs, "evil"));
    await writeFile(
      configFile(),
      `lxc.rootfs.path = dir:${rootfs}\nlxc.mount.entry = tmpfs evil/made-dir tmpfs defaults,create=dir 0 0\n`,
    );
    const refusal = await checkMountCreateBeforeStart({ lxcPath, name: "c1" }).catch(
      (error: unknown) => error,
    );
    expect(refusal).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect((refusal as Error).message).toMatch(
      /^"c1" was not started: line 2 \(lxc\.mount\.entry = tmpfs evil\/made-dir tmpfs defaults,create=dir 0 0\) .*evil is a symbolic link.*Remove the link inside the container/,
    );
    expect(await readdir(host)).toEqual(["file"]);
    await writeFile(configFile(), `lxc.rootfs.path = dir:${rootfs}\n`);
    await expect(checkMountCreateBeforeStart({ lxcPath, name: "c1" })).resolves.toBeUndefined();
    await expect(checkMountCreateBeforeStart({ lxcPath, name: "none" })).resolves.toBeUndefined();
  });
});

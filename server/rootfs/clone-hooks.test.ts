import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { cloneHookPathProblem, cloneHookProblem, refuseCloneHookProblem } from "./clone-hooks";
import { openRootfs } from "./index";

/**
 * The walker run before a clone, a snapshot or a restore: with a clone hook in the config (LXC's common.conf sets
 * clonehostname), every path the hook edits is looked at with lstat inside the rootfs, in each layer, and a link
 * (absolute, relative, climbing), a device, a FIFO or an odd ifcfg name is the problem; nothing is ever followed out
 * of the rootfs (the "host" directory beside it stays as it was).
 */
let top: string;
let host: string;
let container: string;
let rootfs: string;

const COMMON = "lxc.include = /usr/share/lxc/config/common.conf\n";
const configText = (rootfsPath: string, extra = COMMON) =>
  `lxc.uts.name = source\nlxc.rootfs.path = ${rootfsPath}\n${extra}`;

beforeEach(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-t-clonehooks-"));
  host = path.join(top, "host");
  container = path.join(top, "lxc", "source");
  rootfs = path.join(container, "rootfs");
  await mkdir(path.join(host, "sysconfig"), { recursive: true });
  await writeFile(path.join(host, "shadow"), "root:secret:\n", { mode: 0o600 });
  await writeFile(path.join(host, "sysconfig/network"), "HOSTNAME=source\n");
  await mkdir(path.join(rootfs, "etc/sysconfig/network-scripts"), { recursive: true });
  await writeFile(path.join(rootfs, "etc/hosts"), "127.0.1.1 source\n");
  await writeFile(path.join(rootfs, "etc/sysconfig/network"), "HOSTNAME=source\n");
  await writeFile(path.join(rootfs, "etc/sysconfig/network-scripts/ifcfg-eth0"), "DHCP_HOSTNAME=source\n");
  await writeFile(path.join(container, "config"), configText(`dir:${rootfs}`));
});
afterEach(async () => {
  await rm(top, { recursive: true, force: true });
});

const hostIsUntouched = () => {
  expect(readFileSync(path.join(host, "shadow"), "utf8")).toBe("root:secret:\n");
  expect(readFileSync(path.join(host, "sysconfig/network"), "utf8")).toBe("HOSTNAME=source\n");
};

const replaceWithLink = async (at: string, target: string) => {
  await rm(path.join(rootfs, at), { recursive: true, force: true });
  await symlink(target, path.join(rootfs, at));
};

describe("cloneHookPathProblem", () => {
  it("finds nothing in a rootfs whose paths are what they should be (or absent)", async () => {
    expect(await cloneHookPathProblem(openRootfs(rootfs))).toBeNull();
    await rm(path.join(rootfs, "etc/sysconfig"), { recursive: true });
    expect(await cloneHookPathProblem(openRootfs(rootfs))).toBeNull();
    await rm(path.join(rootfs, "etc"), { recursive: true });
    expect(await cloneHookPathProblem(openRootfs(rootfs))).toBeNull();
  });

  it("takes a directory where the hook looks for a file ([ -f ] skips it: openSUSE's etc/sysconfig/network)", async () => {
    await rm(path.join(rootfs, "etc/sysconfig/network"));
    await mkdir(path.join(rootfs, "etc/sysconfig/network/ifcfg-eth0"), { recursive: true });
    expect(await cloneHookPathProblem(openRootfs(rootfs))).toBeNull();
  });

  it.each([
    ["etc/hosts", "an absolute link to a host file", () => path.join(host, "shadow")],
    ["etc/hosts", "a relative ../ chain to a host file", () => `../../../../../../../..${host}/shadow`],
    ["etc", "an absolute link to a host directory", () => host],
    ["etc/sysconfig", "an absolute link to a host directory", () => path.join(host, "sysconfig")],
    ["etc/sysconfig", "a link to a directory inside the rootfs", () => "../usr"],
    ["etc/sysconfig/network", "a link to a host file", () => path.join(host, "sysconfig/network")],
    ["etc/sysconfig/network-scripts", "a link to a host directory", () => host],
    ["etc/sysconfig/network-scripts/ifcfg-eth0", "a link to a host file", () => path.join(host, "shadow")],
    ["etc/sysconfig/network-scripts/ifcfg-eth0", "a dangling link", () => "/nowhere"],
  ])("names %s when it is %s", async (at, _what, target) => {
    await replaceWithLink(at, target());
    expect(await cloneHookPathProblem(openRootfs(rootfs))).toEqual({
      path: at,
      why: "is a symbolic link",
      layer: rootfs,
      reason: { reason: "symlink" },
    });
    hostIsUntouched();
  });

  it("names an ifcfg-* link among regular ones", async () => {
    const scripts = path.join(rootfs, "etc/sysconfig/network-scripts");
    await writeFile(path.join(scripts, "ifcfg-lo"), "");
    await writeFile(path.join(scripts, "route-eth0"), "");
    await symlink(path.join(host, "shadow"), path.join(scripts, "ifcfg-"));
    expect((await cloneHookPathProblem(openRootfs(rootfs)))?.path).toBe(
      "etc/sysconfig/network-scripts/ifcfg-",
    );
    // A link not matched by ifcfg-* is not the hook's.
    await rm(path.join(scripts, "ifcfg-"));
    await symlink(path.join(host, "shadow"), path.join(scripts, "route-eth1"));
    expect(await cloneHookPathProblem(openRootfs(rootfs))).toBeNull();
  });

  it.each([["ifcfg-a -o -f x"], ["ifcfg-*"], ["ifcfg-[x]"], ["ifcfg-a\tb"], ["ifcfg-a\nb"], ["ifcfg-a\\b"]])(
    "names an ifcfg file called %j, which the hook's unquoted $file would split or expand",
    async (name) => {
      await writeFile(path.join(rootfs, "etc/sysconfig/network-scripts", name), "");
      const problem = await cloneHookPathProblem(openRootfs(rootfs));
      expect(problem?.path).toBe(`etc/sysconfig/network-scripts/${name}`);
      expect(problem?.why).toMatch(/in its name/);
    },
  );

  it("names a device or FIFO where a file should be, and a file where a directory should be", async () => {
    await rm(path.join(rootfs, "etc/hosts"));
    await execa("mknod", [path.join(rootfs, "etc/hosts"), "c", "1", "3"]);
    expect(await cloneHookPathProblem(openRootfs(rootfs))).toMatchObject({
      path: "etc/hosts",
      why: "is a device, socket or FIFO",
    });
    await rm(path.join(rootfs, "etc/hosts"));
    await execa("mkfifo", [path.join(rootfs, "etc/hosts")]);
    expect((await cloneHookPathProblem(openRootfs(rootfs)))?.why).toBe("is a device, socket or FIFO");
    await rm(path.join(rootfs, "etc/hosts"));
    await rm(path.join(rootfs, "etc/sysconfig"), { recursive: true });
    await writeFile(path.join(rootfs, "etc/sysconfig"), "");
    expect(await cloneHookPathProblem(openRootfs(rootfs))).toMatchObject({
      path: "etc/sysconfig",
      why: "is a file, not a directory",
    });
  });

  it("takes a whiteout (an overlay's deleted file) as absent", async () => {
    await rm(path.join(rootfs, "etc/hosts"));
    await execa("mknod", [path.join(rootfs, "etc/hosts"), "c", "0", "0"]);
    expect(await cloneHookPathProblem(openRootfs(rootfs))).toBeNull();
  });
});

describe("cloneHookProblem", () => {
  const configFile = () => path.join(container, "config");

  it("leaves a config without clone hooks alone, whatever its rootfs holds", async () => {
    await replaceWithLink("etc/hosts", path.join(host, "shadow"));
    await writeFile(configFile(), configText(`dir:${rootfs}`, ""));
    expect(await cloneHookProblem(configFile())).toBeNull();
    await writeFile(configFile(), configText(`dir:${rootfs}`, `${COMMON}lxc.hook.clone =\n`));
    expect(await cloneHookProblem(configFile())).toBeNull();
  });

  it("names the hook, its line and file, with an admin's hook as with LXC's", async () => {
    await replaceWithLink("etc/hosts", path.join(host, "shadow"));
    expect(await cloneHookProblem(configFile())).toMatchObject({
      path: "etc/hosts",
      hooks: [{ value: "/usr/share/lxc/hooks/clonehostname", file: "/usr/share/lxc/config/common.conf" }],
    });
    await writeFile(configFile(), configText(`dir:${rootfs}`, "lxc.hook.clone = /usr/local/bin/mine\n"));
    expect(await cloneHookProblem(configFile())).toMatchObject({
      path: "etc/hosts",
      hooks: [{ value: "/usr/local/bin/mine", line: 3, file: configFile() }],
    });
  });

  it("counts an include it cannot read as one that may hold a clone hook", async () => {
    await replaceWithLink("etc/hosts", path.join(host, "shadow"));
    await writeFile(configFile(), configText(`dir:${rootfs}`, `lxc.include = ${top}/missing.conf\n`));
    expect(await cloneHookProblem(configFile())).toMatchObject({ path: "etc/hosts", hooks: [] });
  });

  it("looks at every layer of an overlay, a link in the lower one included", async () => {
    const upper = path.join(top, "lxc", "clone", "overlay", "delta");
    await mkdir(path.join(upper, "etc"), { recursive: true });
    await writeFile(configFile(), configText(`overlay:${rootfs}:${upper}`));
    expect(await cloneHookProblem(configFile())).toBeNull();
    await replaceWithLink("etc/sysconfig", path.join(host, "sysconfig"));
    expect(await cloneHookProblem(configFile())).toMatchObject({ path: "etc/sysconfig", layer: rootfs });
    // A regular file in the upper layer hides the lower one's link from the hook; refused all the same (stricter).
    await mkdir(path.join(upper, "etc/sysconfig"));
    expect(await cloneHookProblem(configFile())).toMatchObject({ path: "etc/sysconfig", layer: rootfs });
    await rm(path.join(rootfs, "etc/sysconfig"));
    await symlink(path.join(host, "shadow"), path.join(upper, "etc/hosts"));
    expect(await cloneHookProblem(configFile())).toMatchObject({ path: "etc/hosts", layer: upper });
    hostIsUntouched();
  });

  it("refuses storage it cannot look into", async () => {
    await writeFile(configFile(), configText("btrfs:/somewhere"));
    const problem = await cloneHookProblem(configFile());
    expect(problem?.path).toBeNull();
    expect(problem?.why).toMatch(/not a directory or an overlay/);
  });
});

describe("refuseCloneHookProblem", () => {
  it("refuses with what is wrong, which hook, and what to do", async () => {
    await replaceWithLink("etc/hosts", path.join(host, "shadow"));
    const refusal = await refuseCloneHookProblem({
      configFile: path.join(container, "config"),
      subject: { subject: "copy", name: "source" },
    }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: "PRECONDITION_FAILED" });
    const { message } = refusal as AppError;
    expect(message).toMatch(/^"source" cannot be copied: /);
    expect(message).toMatch(/lxc\.hook\.clone = \/usr\/share\/lxc\/hooks\/clonehostname/);
    expect(message).toMatch(/etc\/hosts in its root filesystem \(.*\) is a symbolic link/);
    expect(message).toMatch(/Remove the link inside the container/);
    const snapshot = await refuseCloneHookProblem({
      configFile: path.join(container, "config"),
      subject: { subject: "restore", snapshot: "snap0", name: "source" },
      inSnapshot: true,
    }).catch((error: unknown) => error as AppError);
    expect(snapshot?.message).toMatch(/an admin can remove the link on the host \(.*\/etc\/hosts\)/);
  });

  it("passes a rootfs without problems, and says a missing config is not found", async () => {
    await expect(
      refuseCloneHookProblem({
        configFile: path.join(container, "config"),
        subject: { subject: "copy", name: "x" },
      }),
    ).resolves.toBeUndefined();
    await expect(
      refuseCloneHookProblem({
        configFile: path.join(top, "none", "config"),
        subject: { subject: "copy", name: "x" },
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cloneHooksOf, lastValueOf, readConfigWithIncludes } from "./config-includes";

/**
 * A config with its includes expanded as liblxc 5 loads it (confile.c, set_config_includefiles): files in place,
 * directories' *.conf entries, LXC's own shipped files, and the clearing lines of the keys the helper reads.
 */
let top: string;
let config: string;

beforeEach(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-t-includes-"));
  config = path.join(top, "config");
});
afterEach(async () => {
  await rm(top, { recursive: true, force: true });
});

const keysOf = async (text: string) =>
  (await readConfigWithIncludes(config, text)).entries.map(({ key, value }) => `${key}=${value}`);

describe("readConfigWithIncludes", () => {
  it("expands an included file in place, and includes within it", async () => {
    await writeFile(path.join(top, "a.conf"), `lxc.arch = a\nlxc.include = ${top}/b.conf\nlxc.tty.max = 2\n`);
    await writeFile(path.join(top, "b.conf"), "lxc.hook.clone = /b\n");
    expect(await keysOf(`lxc.uts.name = x\nlxc.include = ${top}/a.conf\nlxc.tty.max = 9\n`)).toEqual([
      "lxc.uts.name=x",
      `lxc.include=${top}/a.conf`,
      "lxc.arch=a",
      `lxc.include=${top}/b.conf`,
      "lxc.hook.clone=/b",
      "lxc.tty.max=2",
      "lxc.tty.max=9",
    ]);
    const expanded = await readConfigWithIncludes(config, `lxc.include = "${top}/a.conf"\n`);
    expect(expanded.entries.find((entry) => entry.key === "lxc.hook.clone")).toMatchObject({
      file: `${top}/b.conf`,
      line: 1,
    });
  });

  it("includes a directory's *.conf entries (named with or without a final slash), nothing from a missing one", async () => {
    const dir = path.join(top, "d");
    await mkdir(dir);
    await writeFile(path.join(dir, "one.conf"), "lxc.hook.clone = /one\n");
    await writeFile(path.join(dir, ".conf"), "lxc.hook.clone = /too-short\n");
    await writeFile(path.join(dir, "notes.txt"), "lxc.hook.clone = /not-conf\n");
    await writeFile(path.join(dir, "two.conf.bak"), "lxc.hook.clone = /bak\n");
    for (const value of [dir, `${dir}/`]) {
      const hooks = cloneHooksOf(await readConfigWithIncludes(config, `lxc.include = ${value}\n`));
      expect(hooks.map((hook) => hook.value)).toEqual(["/one"]);
    }
    const missing = await readConfigWithIncludes(config, `lxc.include = ${top}/nothing/\n`);
    expect(missing.unread).toEqual([]);
  });

  it("follows links to included files, as liblxc does, and reports what it cannot read", async () => {
    await writeFile(path.join(top, "real.conf"), "lxc.hook.clone = /real\n");
    await symlink(path.join(top, "real.conf"), path.join(top, "link.conf"));
    const linked = await readConfigWithIncludes(config, `lxc.include = ${top}/link.conf\n`);
    expect(cloneHooksOf(linked).map((hook) => hook.value)).toEqual(["/real"]);
    const missing = await readConfigWithIncludes(config, `lxc.include = ${top}/gone.conf\n`);
    expect(missing.unread.map((entry) => entry.file)).toEqual([`${top}/gone.conf`]);
  });

  it("stops a loop of includes and reports it", async () => {
    await writeFile(path.join(top, "loop.conf"), `lxc.include = ${top}/loop.conf\n`);
    const looped = await readConfigWithIncludes(config, `lxc.include = ${top}/loop.conf\n`);
    expect(looped.unread[0]?.why).toMatch(/levels deep/);
  });

  it("reads each file as liblxc does: a NUL ends it, a lone carriage return ends a line", async () => {
    await writeFile(
      path.join(top, "odd.conf"),
      "# note\rlxc.hook.clone = /after-cr\nlxc.arch = x\0lxc.hook.clone = /after-nul\n",
    );
    const odd = await readConfigWithIncludes(config, `lxc.include = ${top}/odd.conf\r\n`);
    expect(cloneHooksOf(odd).map((hook) => hook.value)).toEqual(["/after-cr"]);
  });

  it("opens the container's own config without following a link", async () => {
    await writeFile(path.join(top, "elsewhere"), "lxc.hook.clone = /x\n");
    await symlink(path.join(top, "elsewhere"), config);
    await expect(readConfigWithIncludes(config)).rejects.toThrow();
  });

  it("finds LXC's clonehostname in its shipped common files", async () => {
    for (const file of ["common.conf", "debian.common.conf", "alpine.common.conf", "opensuse.common.conf"]) {
      const expanded = await readConfigWithIncludes(config, `lxc.include = /usr/share/lxc/config/${file}\n`);
      expect(cloneHooksOf(expanded)).toEqual([
        expect.objectContaining({
          value: "/usr/share/lxc/hooks/clonehostname",
          file: "/usr/share/lxc/config/common.conf",
        }),
      ]);
      expect(expanded.unread).toEqual([]);
    }
    const none = await readConfigWithIncludes(config, "lxc.include = /usr/share/lxc/config/nesting.conf\n");
    expect(cloneHooksOf(none)).toEqual([]);
  });
});

describe("cloneHooksOf", () => {
  it("clears the clone hooks with lxc.hook.clone = and every hook with lxc.hook =", async () => {
    const common = "lxc.include = /usr/share/lxc/config/common.conf\n";
    const hooks = async (text: string) =>
      cloneHooksOf(await readConfigWithIncludes(config, text)).map((hook) => hook.value);
    expect(await hooks(`${common}lxc.hook.clone =\n`)).toEqual([]);
    expect(await hooks(`${common}lxc.hook.clone = ""\n`)).toEqual([]);
    expect(await hooks(`${common}lxc.hook =\nlxc.hook.clone = /mine\n`)).toEqual(["/mine"]);
    expect(await hooks(`lxc.hook.clone =\n${common}`)).toEqual(["/usr/share/lxc/hooks/clonehostname"]);
    expect(await hooks(`${common}lxc.hook.pre-start =\n`)).toEqual(["/usr/share/lxc/hooks/clonehostname"]);
    // Keys liblxc matches exactly: a longer or differently cased key is not a clone hook.
    expect(await hooks("lxc.hook.clones = /x\nLXC.hook.clone = /y\n")).toEqual([]);
  });
});

describe("lastValueOf", () => {
  it("takes the last value, from an include too", async () => {
    await writeFile(path.join(top, "r.conf"), "lxc.rootfs.path = dir:/from-include\n");
    const expanded = await readConfigWithIncludes(
      config,
      `lxc.rootfs.path = dir:/own\nlxc.include = ${top}/r.conf\n`,
    );
    expect(lastValueOf(expanded, "lxc.rootfs.path")).toBe("dir:/from-include");
    expect(lastValueOf(expanded, "lxc.autodev")).toBeUndefined();
  });
});

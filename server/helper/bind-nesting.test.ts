import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nestedBindSources } from "./bind-nesting";

describe("a bind source a guest could swap for a link is the admin's", () => {
  let lxcPath = "";
  const roots = ["/srv/binds"];
  beforeAll(async () => {
    lxcPath = await mkdtemp(path.join(os.tmpdir(), "atelier-test-nesting-"));
    await mkdir(path.join(lxcPath, "other"));
    await writeFile(
      path.join(lxcPath, "other", "config"),
      "lxc.mount.entry = /srv/binds/shared mnt/shared none bind 0 0\nlxc.mount.entry = /srv/binds/media mnt/media none bind,ro 0 0\n",
    );
  });
  afterAll(() => rm(lxcPath, { recursive: true, force: true }));
  const check = (after: string, before = "") => nestedBindSources(lxcPath, "web", before, after, roots);
  const line = (source: string, options = "bind") =>
    `lxc.mount.entry = ${source} mnt/x none ${options} 0 0\n`;

  it("refuses a source below another container's read-write bind, and a read-write bind above another's", async () => {
    expect((await check(line("/srv/binds/shared/sub")))[0]?.reason).toMatch(
      /other has \/srv\/binds\/shared mounted read-write/,
    );
    expect((await check(line("/srv/binds/shared/sub", "bind,ro"))).length).toBe(1);
    expect((await check(line("/srv/binds")))[0]?.reason).toMatch(/would let this guest replace/);
    expect(await check(line("/srv/binds/media/film"))).toEqual([]);
    expect(await check(line("/srv/binds", "bind,ro"))).toEqual([]);
  });

  it("refuses nesting within the container's own config, and leaves old lines and other paths alone", async () => {
    const own = line("/srv/binds/mine") + line("/srv/binds/mine/deeper", "bind,ro");
    expect((await check(own)).length).toBeGreaterThan(0);
    expect(await check(own, own)).toEqual([]);
    expect(await check(line("/srv/binds/shared"))).toEqual([]);
    expect(await check(line("/opt/elsewhere/sub"))).toEqual([]);
    expect(await nestedBindSources(lxcPath, "web", "", line("/srv/binds/shared/sub"), [])).toEqual([]);
  });
});

import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindSourceProblems } from "./bind-sources";

/** The start-time check of bind sources on a real directory tree (links made by the test). */
let base: string;
let roots: string;
let outside: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "atelier-binds-"));
  roots = path.join(base, "binds");
  outside = path.join(base, "outside");
  await mkdir(path.join(roots, "data", "sub"), { recursive: true });
  await mkdir(path.join(roots, "other"), { recursive: true });
  await mkdir(outside);
  await symlink(outside, path.join(roots, "escape"));
  await symlink(path.join(roots, "other"), path.join(roots, "inner-link"));
  // A bind root configured through a link: sources may be written with either spelling.
  await symlink(roots, path.join(base, "roots-link"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const entry = (source: string, options = "bind,create=dir") =>
  `lxc.mount.entry = ${source} mnt/x none ${options} 0 0\n`;

describe("bindSourceProblems", () => {
  it("passes real directories and links that stay inside the bind roots", async () => {
    const text = [
      entry(`${roots}/data`),
      entry(`${roots}/data/sub`, "rbind,ro"),
      entry(`${roots}/inner-link`),
      entry(`${path.join(base, "roots-link")}/data`),
    ].join("");
    expect(await bindSourceProblems(text, [roots])).toEqual([]);
    expect(await bindSourceProblems(text, [path.join(base, "roots-link")])).toEqual([]);
  });

  it("names a source inside the roots by its text that resolves out of them, with its line", async () => {
    const text = `lxc.tty.max = 1\n${entry(`${roots}/data`)}${entry(`${roots}/escape`)}${entry(`${roots}/escape/deeper/..`)}`;
    expect(await bindSourceProblems(text, [roots])).toEqual([
      {
        line: 3,
        value: `${roots}/escape mnt/x none bind,create=dir 0 0`,
        source: `${roots}/escape`,
        resolved: outside,
      },
      {
        line: 4,
        value: `${roots}/escape/deeper/.. mnt/x none bind,create=dir 0 0`,
        source: `${roots}/escape/deeper/..`,
        resolved: null,
      },
    ]);
  });

  it("reads the line as liblxc does: quotes stripped, tabs, getmntent's \\040", async () => {
    const text = `lxc.mount.entry\t=\t"${roots}/escape\tmnt/x\tnone\tbind\t0\t0"\n`;
    expect((await bindSourceProblems(text, [roots])).map((problem) => problem.resolved)).toEqual([outside]);
    await symlink(outside, path.join(roots, "with space"));
    expect(
      (await bindSourceProblems(entry(`${roots}/with\\040space`), [roots])).map((problem) => problem.source),
    ).toEqual([`${roots}/with space`]);
  });

  it("refuses a missing source unless the line says optional", async () => {
    expect(await bindSourceProblems(entry(`${roots}/gone`), [roots])).toHaveLength(1);
    expect(await bindSourceProblems(entry(`${roots}/gone`, "bind,optional,create=dir"), [roots])).toEqual([]);
  });

  it("leaves alone what is not a bind source inside the roots by its text", async () => {
    const text = [
      entry("/etc"), // an admin's choice
      entry(`${roots}/../outside`), // outside by its text
      entry("relative/in/the/rootfs"), // liblxc binds it from the rootfs
      entry(`${roots}/escape`, "defaults"), // not a bind
      "lxc.mount.entry = tmpfs dev/shm tmpfs defaults 0 0\n",
      `# lxc.mount.entry = ${roots}/escape mnt none bind 0 0\n`,
    ].join("");
    expect(await bindSourceProblems(text, [roots])).toEqual([]);
    expect(await bindSourceProblems(entry(`${roots}/escape`), [])).toEqual([]);
  });
});

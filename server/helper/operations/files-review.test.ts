import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import { filesOperations } from "./files";

/**
 * Review of issue #26 (files): a viewer reads as the container's "others". `list` asks o+r and o+x of the listed
 * directory; `tar` asks the same of every directory it packs except the one it starts from when that is "/" (its
 * tar name is "", so the walk's callback enters it before the mode check): with the guest's / at 0711, a viewer's
 * GET /api/containers/NAME/files?path=/ lists what `files.list` refuses to show.
 */
let top: string;
let lxcPath: string;
const rootfs = () => path.join(lxcPath, "v1", "rootfs");

beforeEach(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-files-review-"));
  lxcPath = path.join(top, "lxc");
  await mkdir(path.join(rootfs(), "secret-name-dir"), { recursive: true });
  await writeFile(
    path.join(lxcPath, "v1", "config"),
    `lxc.uts.name = v1\nlxc.rootfs.path = dir:${rootfs()}\nlxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n`,
  );
  await writeFile(path.join(rootfs(), "world-readable-file"), "o+r content");
  // Others may pass through / but not read it.
  await chmod(rootfs(), 0o711);
});

afterEach(async () => {
  await rm(top, { recursive: true, force: true });
});

const ops = () =>
  filesOperations({
    lxcPath,
    stateDir: path.join(top, "state"),
    info: () => Promise.resolve({ state: "STOPPED", pid: null }),
  });

const noop = () => ({
  signal: new AbortController().signal,
  emit: () => Promise.resolve(),
  upstream: (async function* () {})(),
});

describe("a viewer and a root directory its others may not read", () => {
  it("is refused the listing", async () => {
    const error = await ops()
      .list({ name: "v1", path: "/", readAs: "other" })
      .then(
        () => null,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("FORBIDDEN");
  });

  it("is refused the tar too, which would name and hold what / holds", async () => {
    const items: Buffer[] = [];
    const result = await ops()
      .tar(
        { name: "v1", path: "/", readAs: "other" },
        { ...noop(), emit: (item: Buffer) => (items.push(item), Promise.resolve()) },
      )
      .then(
        (answer) => answer,
        (caught: unknown) => caught,
      );
    const tar = Buffer.concat(items);
    expect(tar.includes(Buffer.from("secret-name-dir"))).toBe(false);
    expect(tar.includes(Buffer.from("o+r content"))).toBe(false);
    expect(result).toBeInstanceOf(AppError);
  });
});

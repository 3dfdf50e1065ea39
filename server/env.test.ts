import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "./env";

let root = "";
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "atelier-env-"));
  await mkdir(path.join(root, "lxc"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const load = (bindRoots: string) =>
  loadSettings({
    NODE_ENV: "test",
    ATELIER_LXC_PATH: path.join(root, "lxc"),
    ATELIER_DATA_DIR: path.join(root, "data"),
    ATELIER_BIND_ROOTS: bindRoots,
  });

describe("ATELIER_BIND_ROOTS", () => {
  it("takes directories beside the data directory", async () => {
    expect((await load(path.join(root, "shares"))).bindRoots).toEqual([path.join(root, "shares")]);
  });

  // An operator bind-mounts from these: one holding the data directory would hand a container its database, the
  // helper's tickets and the local socket where a request is root on the host.
  it.each([
    ["that holds the data directory", () => root],
    ["that is the data directory", () => path.join(root, "data")],
    ["inside the data directory", () => path.join(root, "data", "web")],
    ["the whole tree", () => "/"],
  ])("refuses a bind root %s", async (_, bindRoot) => {
    await expect(load(`${path.join(root, "shares")}:${bindRoot()}`)).rejects.toThrow(
      /ATELIER_BIND_ROOTS: .* overlaps Atelier's data directory/,
    );
  });
});

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import type { TBridgeEnd } from "@/server/host-network/plan";

/**
 * For the persistence tests (the web tier's rendering, the helper's writing): host layouts written to temporary
 * directories, removed after each test, and the seed's bridge as a plan leaves it.
 */
export const useHostRoots = () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (files: Record<string, string>) => {
    const root = await mkdtemp(path.join(os.tmpdir(), "atelier-persist-"));
    dirs.push(root);
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), content);
    }
    return root;
  };
};

export const br0: TBridgeEnd = {
  name: "br0",
  ports: ["eth0", "vethA1b2C3"],
  addresses: ["192.0.2.10/24", "2001:db8::10/64"],
  stp: false,
  forwardDelay: 2,
  mtu: 1500,
  gateway: "192.0.2.1",
};

import { readFile } from "node:fs/promises";
import { ensureRootSubids } from "../server/helper/subids";
import { DEFAULT_IDMAP_POOL, parseIdPool, type TIdPool } from "../server/schemas/idmap";
import { assertTestEnvironment } from "../tests/guard";

export default async function globalSetup() {
  await assertTestEnvironment();
  // The server's helper writes host files under its ATELIER_HOST_ROOT (a directory of the run's, for the network
  // pages), but newuidmap reads root's subordinate ids in /etc: they go into the run's own /etc, an overlay over the
  // host's in a mount namespace of the run's (scripts/netns-sysfs.sh), never the host's.
  const etc = (await readFile("/proc/self/mountinfo", "utf8"))
    .split("\n")
    .filter((line) => line.split(" ")[4] === "/etc")
    .at(-1);
  if (!etc || etc.split(" - ")[1]?.split(" ")[0] !== "overlay")
    throw new Error(
      "Refusing to write /etc/subuid: /etc is not the test's own overlay (scripts/netns-sysfs.sh)",
    );
  await ensureRootSubids("/", parseIdPool(DEFAULT_IDMAP_POOL) as TIdPool);
}

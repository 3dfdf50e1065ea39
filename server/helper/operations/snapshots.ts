import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { containerNotFound } from "../../lxc";
import { SNAPSHOT_NAME } from "../../schemas/snapshot-name";
import type { THandlers } from "../contract/define";
import type { snapshotsContract } from "../contract/snapshots";
import { diskUsage } from "../run/du";

/** A container's snapshots, read in LXCPATH/NAME/snaps, which only root reads (the contract: ../contract/snapshots.ts). */
export const snapshotsOperations = ({ lxcPath }: { lxcPath: string }) =>
  ({
    /** Name, LXC's timestamp (host local time, as written), comment and size, in the order they were made. */
    list: async ({ name }) => {
      const snaps = path.join(lxcPath, name, "snaps");
      if (!(await readFile(path.join(lxcPath, name, "config")).catch(() => null)))
        throw containerNotFound(lxcPath, name);
      const entries = (await readdir(snaps).catch(() => [] as string[]))
        .filter((entry) => SNAPSHOT_NAME.test(entry))
        .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
      return Promise.all(
        entries.map(async (snapshot) => {
          const dir = path.join(snaps, snapshot);
          return {
            name: snapshot,
            ts: (await readFile(path.join(dir, "ts"), "utf8").catch(() => "")).trim(),
            comment: (await readFile(path.join(dir, "comment"), "utf8").catch(() => "")).trim(),
            bytes: await diskUsage(dir),
          };
        }),
      );
    },
  }) satisfies THandlers<typeof snapshotsContract>;

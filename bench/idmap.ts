import { mkdtemp, rm, writeFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { idmapOperations } from "@/server/helper/operations/idmap";
import { shiftTree } from "@/server/helper/shift";
import { ensureRootSubids } from "@/server/helper/subids";
import { parseIdPool, type TIdPool } from "@/server/schemas/idmap";
import { lxcPath } from "../tests/lxc-oracle";
import { median } from "./stats";

/**
 * Unprivileged containers (issue #23), measured in one run:
 * - conversion of the Debian test root filesystem (the run's template cache, copied: the cache is never touched)
 *   by the helper's shifter (server/helper/shift.ts: 0 → a range, names per second) against coreutils' `chown -hR
 *   RANGE:RANGE` of a second copy of the same tree: the same number of lchown calls, one per name, in one C
 *   process with fts (a lower bound: it sets one owner for all, which is no shift; a real shift with chown would
 *   need `chown -hR --from=U:G` once per owner pair in the tree, a walk each, and loses setuid bits);
 * - beside them, idmap.assign on a container whose rootfs is that tree with the rootfs mounted idmapped (the
 *   path a host with idmapped mounts takes: only the config is written);
 * - lxc-start of a busybox container: privileged, unprivileged idmapped, unprivileged shifted (median of N).
 * Each figure is measured directly (its own timer), the rounds interleaved.
 */
const ROUNDS = Number(process.env.BENCH_IDMAP_ROUNDS ?? 3);
const STARTS = Number(process.env.BENCH_START_ROUNDS ?? 10);
const DEBIAN = "/var/cache/atelier-test/lxc/debian/rootfs-bookworm-amd64";

const ms = (value: number) => `${value.toFixed(1).padStart(8)} ms`;
const timed = async (work: () => Promise<unknown>) => {
  const began = performance.now();
  await work();
  return performance.now() - began;
};

export const benchIdmap = async () => {
  const lxc = lxcPath();
  const config = process.env.ATELIER_CONTAINER_CONFIG;
  const pool = parseIdPool(process.env.ATELIER_IDMAP_POOL ?? "1000000:1000") as TIdPool;
  const context = {
    signal: new AbortController().signal,
    emit: () => Promise.resolve(),
    upstream: (async function* () {})(),
  } as never;
  const writeConfig = (name: string, text: string) => writeFile(path.join(lxc, name, "config"), text);
  const operations = (idmapMethod: "auto" | "shift") =>
    idmapOperations({
      lxcPath: lxc,
      hostRoot: "/",
      stateDir: "/nonexistent",
      idPool: pool,
      idmapMethod,
      writeConfig,
    });
  const idmapped = operations("auto");
  const shifted = operations("shift");
  // Root's subordinate ids for the pool (the helper of a running server gives them too; again is a no-op).
  await ensureRootSubids("/", pool);
  const lines: string[] = [];
  const names: string[] = [];
  const scratch = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "bench-idmap-"));
  try {
    // The Debian tree twice: one for the shifter (in a container's directory, for idmap.assign), one for chown.
    const deb = "bench-idmap-debian";
    names.push(deb);
    await mkdir(path.join(lxc, deb));
    const tree = path.join(lxc, deb, "rootfs");
    const other = path.join(scratch, "rootfs");
    await execa("cp", ["-a", DEBIAN, tree]);
    await execa("cp", ["-a", DEBIAN, other]);
    await writeFile(
      path.join(lxc, deb, "config"),
      `lxc.rootfs.path = dir:${tree}\nlxc.uts.name = ${deb}\nlxc.net.0.type = empty\n`,
    );
    const names_ = Number((await execa("sh", ["-c", `find "$1" -xdev | wc -l`, "sh", tree])).stdout.trim());
    const range = pool.first + (pool.slots - 1) * 65536;
    const shift: number[] = [];
    const chown: number[] = [];
    const assign: number[] = [];
    let last = await shiftTree(tree, { from: 0, to: range, count: 65536 });
    await shiftTree(tree, { from: range, to: 0, count: 65536 });
    for (let round = 0; round < ROUNDS; round += 1) {
      shift.push(
        await timed(async () => (last = await shiftTree(tree, { from: 0, to: range, count: 65536 }))),
      );
      chown.push(await timed(() => execa("chown", ["-hR", `${range}:${range}`, other])));
      shift.push(await timed(() => shiftTree(tree, { from: range, to: 0, count: 65536 })));
      chown.push(await timed(() => execa("chown", ["-hR", "0:0", other])));
      await idmapped.status();
      assign.push(await timed(() => idmapped.assign({ name: deb }, context)));
      await writeConfig(
        deb,
        (await readFile(path.join(lxc, deb, "config"), "utf8")).replace(
          /^lxc\.(idmap|rootfs\.options) = .*\n/gm,
          "",
        ),
      );
    }
    const perSecond = (values: number[]) => (names_ / (median(values) / 1000)).toFixed(0);
    lines.push(
      `  Debian rootfs (${names_} names, ${last.shifted} inodes changed, ${last.hardLinks} extra hard links, ${last.acls} ACL) shift 0 -> range: ${ROUNDS * 2} rounds`,
      `  helper's shifter                 median ${ms(median(shift))}   ${perSecond(shift)} names/s`,
      `  chown -hR (same lchown count)    median ${ms(median(chown))}   ${perSecond(chown)} names/s`,
      `  ratio shifter / chown -hR: ${(median(shift) / median(chown)).toFixed(2)}`,
      `  idmap.assign, rootfs idmapped    median ${ms(median(assign))}   (no file rewritten)`,
      `  ratio shifter / idmapped assign: ${(median(shift) / median(assign)).toFixed(0)}`,
    );

    // Start: privileged, idmapped, shifted busybox.
    const kinds = { privileged: "bench-start-priv", idmapped: "bench-start-idm", shifted: "bench-start-shf" };
    for (const name of Object.values(kinds)) {
      names.push(name);
      await execa("lxc-create", ["-P", lxc, "-n", name, "-t", "busybox", ...(config ? ["-f", config] : [])]);
    }
    await idmapped.assign({ name: kinds.idmapped }, context);
    await shifted.assign({ name: kinds.shifted }, context);
    const starts: Record<string, number[]> = { privileged: [], idmapped: [], shifted: [] };
    for (let round = 0; round < STARTS; round += 1)
      for (const [kind, name] of Object.entries(kinds)) {
        starts[kind]?.push(await timed(() => execa("lxc-start", ["-P", lxc, "-n", name])));
        await execa("lxc-stop", ["-P", lxc, "-n", name, "-k"]);
      }
    const [privileged, mapped, moved] = [
      starts.privileged ?? [],
      starts.idmapped ?? [],
      starts.shifted ?? [],
    ];
    lines.push(
      `  lxc-start busybox, privileged    median ${ms(median(privileged))}   (${STARTS} rounds)`,
      `  lxc-start, unprivileged idmapped median ${ms(median(mapped))}   ratio ${(median(mapped) / median(privileged)).toFixed(2)}`,
      `  lxc-start, unprivileged shifted  median ${ms(median(moved))}   ratio ${(median(moved) / median(privileged)).toFixed(2)}`,
    );
  } finally {
    for (const name of names) await execa("lxc-destroy", ["-P", lxc, "-n", name, "-f"], { reject: false });
    await rm(path.join(lxc, "bench-idmap-debian"), { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
  return lines;
};

/**
 * Id maps of unprivileged containers: the pool of host ids Atelier hands out (ATELIER_IDMAP_POOL), one range of
 * 65536 ids per container (isolated maps, as LXD's security.idmap.isolated), and the lxc.idmap lines a config maps.
 *
 * Pure (no Node module): the web tier allocates ranges, the helper checks the lines it writes against the same
 * reading, and the pages show the same picture.
 */

/** Ids per container: a whole 16-bit id space, so that every uid and gid a distribution uses has a host id. */
export const RANGE_SIZE = 65536;

/** Host ids first..first+slots*RANGE_SIZE-1, handed out RANGE_SIZE at a time. */
export type TIdPool = { first: number; slots: number };

export const DEFAULT_IDMAP_POOL = "1000000:1000";

/** "FIRST:SLOTS" (ATELIER_IDMAP_POOL), or null when it is not one a host can use. */
export const parseIdPool = (value: string): TIdPool | null => {
  const match = /^(\d{1,10}):(\d{1,6})$/.exec(value.trim());
  if (!match) return null;
  const first = Number(match[1]);
  const slots = Number(match[2]);
  // Below 65536 are the host's own users; 2^32-1 is the kernel's "no id".
  if (first < RANGE_SIZE || slots < 1 || first + slots * RANGE_SIZE > 2 ** 32 - 1) return null;
  return { first, slots };
};

export type THostRange = { first: number; count: number };

/** The host ids of slot `slot`. */
export const slotRange = (pool: TIdPool, slot: number): THostRange => ({
  first: pool.first + slot * RANGE_SIZE,
  count: RANGE_SIZE,
});

/** The slot a range is, or null when it is not exactly one of the pool's. */
export const slotOf = (pool: TIdPool, range: THostRange) => {
  const offset = range.first - pool.first;
  if (range.count !== RANGE_SIZE || offset < 0 || offset % RANGE_SIZE !== 0) return null;
  const slot = offset / RANGE_SIZE;
  return slot < pool.slots ? slot : null;
};

export const overlaps = (a: THostRange, b: THostRange) =>
  a.first < b.first + b.count && b.first < a.first + a.count;

export const insidePool = (pool: TIdPool, range: THostRange) =>
  range.first >= pool.first && range.first + range.count <= pool.first + pool.slots * RANGE_SIZE;

/** One lxc.idmap line as liblxc 5 reads it (`u|g inside host count`: parse_idmaps takes no other type). */
export type TIdMap = { type: "u" | "g"; inside: number; host: number; count: number };

/**
 * The maps of a config's lxc.idmap lines, in order (an empty line clears those before it, as in liblxc); a line
 * that is not four plain decimals is left out (the privilege rules refuse those).
 */
export const idMapsOf = (entries: readonly { key: string; value: string }[]): TIdMap[] => {
  let maps: TIdMap[] = [];
  for (const { key, value } of entries) {
    if (key !== "lxc.idmap") continue;
    if (value.trim() === "") {
      maps = [];
      continue;
    }
    const fields = value.trim().split(/[ \t]+/);
    const [type, ...numbers] = fields;
    if (
      (type !== "u" && type !== "g") ||
      numbers.length !== 3 ||
      numbers.some((field) => !/^(0|[1-9]\d{0,9})$/.test(field))
    )
      continue;
    const [inside = 0, host = 0, count = 0] = numbers.map(Number);
    maps.push({ type, inside, host, count });
  }
  return maps;
};

/** The host ids a config's maps give the container, users and groups together. */
export const hostRangesOf = (maps: readonly TIdMap[]): THostRange[] =>
  maps.map((map) => ({ first: map.host, count: map.count }));

/** Where container root is on the host (uid and gid), or null for a privileged container. */
export const mappedRoot = (maps: readonly TIdMap[]) => {
  const root = (kind: "u" | "g") =>
    maps.find((map) => map.type === kind && map.inside === 0 && map.count > 0)?.host;
  const uid = root("u");
  const gid = root("g");
  return uid === undefined || gid === undefined ? null : { uid, gid };
};

/** The lines that map a container's ids 0..RANGE_SIZE-1 onto one range, users and groups. */
export const idmapValues = (range: THostRange) => [
  `u 0 ${range.first} ${range.count}`,
  `g 0 ${range.first} ${range.count}`,
];

/** The rootfs option that mounts the root filesystem idmapped with the container's own user namespace. */
export const IDMAPPED_ROOTFS = "idmap=container";

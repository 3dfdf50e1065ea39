/**
 * What a root filesystem tarball may hold, judged from GNU tar's verbose listing (`tar --list --verbose
 * --numeric-owner --quoting-style=c`) before anything is unpacked:
 *
 * - every member stays inside the root filesystem (no absolute path, no `..`, nothing through a link of the archive);
 * - a hardlink points at a member listed before it;
 * - no device node but the harmless ones a root filesystem ships (null, zero, full, random, urandom, tty, console,
 *   ptmx): a block device or /dev/mem in a rootfs is the host's disk or memory to whoever opens it;
 * - no socket;
 * - it looks like a root filesystem (programs in bin/, sbin/ or usr/).
 *
 * Setuid and setgid bits are listed, to be stripped after unpacking unless an admin asks to keep them.
 */
export type TTarMember = {
  type: string;
  /** Permission bits as tar printed them (9 characters, rwxr-sr-x). */
  permissions: string;
  device: string | null;
  name: string;
  link: string | null;
};

const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
const LINE = new RegExp(
  String.raw`^(\S)(\S{9})\S?\s+\S+\s+(\S+)\s+\S+ \S+\s+${QUOTED}(?:\s+(->|link to)\s+${QUOTED})?$`,
);

const unquote = (text: string) =>
  text.replace(/\\([0-7]{1,3}|.)/g, (_all, code: string) => {
    if (/^[0-7]+$/.test(code)) return String.fromCharCode(parseInt(code, 8));
    const named: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v" };
    return named[code] ?? code;
  });

export const parseTarListing = (listing: string): TTarMember[] =>
  listing
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const match = LINE.exec(line);
      if (!match) throw new Error(`unexpected tar listing line: ${line.slice(0, 200)}`);
      const [, type = "", permissions = "", size = "", name = "", , link] = match;
      return {
        type,
        permissions,
        device: type === "c" || type === "b" ? size : null,
        name: unquote(name).replace(/^\.\//, ""),
        link: link === undefined ? null : unquote(link),
      };
    });

const HARMLESS_DEVICES = new Set(["c1,3", "c1,5", "c1,7", "c1,8", "c1,9", "c5,0", "c5,1", "c5,2"]);

const isOutside = (name: string) => name.startsWith("/") || name.split("/").includes("..");
const trimSlash = (name: string) => name.replace(/\/+$/, "");

/** The mode bits of a permission string (rwsr-xr-t), setuid, setgid and sticky included. */
export const modeOf = (permissions: string) => {
  let mode = 0;
  const bit = (index: number, value: number, special: number) => {
    const char = permissions[index] ?? "-";
    if (char === "r" || char === "w" || char === "x" || char === "s" || char === "t") mode |= value;
    if (char === "s" || char === "S" || char === "t" || char === "T") mode |= special;
  };
  [0, 3, 6].forEach((offset, group) => {
    bit(offset, 4 << ((2 - group) * 3), 0);
    bit(offset + 1, 2 << ((2 - group) * 3), 0);
    bit(offset + 2, 1 << ((2 - group) * 3), [0o4000, 0o2000, 0o1000][group] ?? 0);
  });
  return mode;
};

/** GNU tar's listing in the form checkTarMembers reads: verbose, numeric owners, C-quoted names; the archive last. */
export const TAR_LIST_ARGS = [
  "--list",
  "--verbose",
  "--numeric-owner",
  "--quoting-style=c",
  "--full-time",
  "-f",
];

export const checkTarMembers = (listing: string) => {
  let members: TTarMember[];
  try {
    members = parseTarListing(listing);
  } catch (error) {
    return { problem: `its listing cannot be read (${(error as Error).message})`, strip: 0, setuid: [] };
  }
  const fail = (problem: string, strip = 0) => ({ problem, strip, setuid: [] as TTarMember[] });
  if (members.length === 0) return fail("the archive is empty");
  const outside = members.find((member) => isOutside(member.name));
  if (outside) return fail(`it has a member outside the root filesystem: ${outside.name.slice(0, 200)}`);
  const strip = members.every((member) => member.name === "rootfs/" || member.name.startsWith("rootfs/"))
    ? 1
    : 0;
  const inside = (name: string) => (strip ? name.replace(/^(\.\/)?rootfs\//, "") : name.replace(/^\.\//, ""));

  const seen = new Set<string>();
  const links = new Set<string>();
  for (const member of members) {
    const name = trimSlash(inside(member.name));
    const parents = name.split("/").slice(0, -1);
    const through = parents
      .map((_, index) => parents.slice(0, index + 1).join("/"))
      .find((p) => links.has(p));
    if (through !== undefined)
      return fail(`${member.name.slice(0, 200)} goes through the link ${through} of the archive`, strip);
    // A second member of a link's name would be written through that link with --overwrite (GNU tar's default
    // removes the link first; no unpacking should depend on that).
    if (links.has(name))
      return fail(`${member.name.slice(0, 200)} comes again after a link of the same name`, strip);
    if (member.type === "c" || member.type === "b") {
      const id = `${member.type}${member.device ?? ""}`;
      if (!HARMLESS_DEVICES.has(id))
        return fail(
          `it has a device node, ${member.name.slice(0, 200)} (${member.type === "b" ? "block" : "character"} ${member.device ?? "?"}): only null, zero, full, random, urandom, tty, console and ptmx are taken (LXC makes /dev itself)`,
          strip,
        );
    }
    if (member.type === "s") return fail(`it has a socket, ${member.name.slice(0, 200)}`, strip);
    if (member.type === "h") {
      const target = trimSlash(inside(member.link ?? ""));
      if (!member.link || isOutside(member.link) || !seen.has(target))
        return fail(
          `it has a hard link to something outside the archive: ${member.name.slice(0, 200)} → ${(member.link ?? "").slice(0, 200)}`,
          strip,
        );
    }
    if (member.type === "l") links.add(name);
    seen.add(name);
  }
  if (![...seen].some((name) => /^(bin|sbin|usr)\/./.test(name)))
    return fail("it has nothing in bin/, sbin/ or usr/: not a root filesystem", strip);
  const setuid = members
    .filter(
      (member) => (member.type === "-" || member.type === "h") && (modeOf(member.permissions) & 0o6000) !== 0,
    )
    .map((member) => ({ ...member, name: trimSlash(inside(member.name)) }));
  return { problem: null, strip, setuid };
};

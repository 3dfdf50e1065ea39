import { LxcConfig } from "../schemas/lxc-config/model";
import { otherConfigs } from "./lxcpath-configs";
import {
  isInBindRoots,
  isInside,
  normalisePath,
  parseMountEntry,
  type TPrivilegedChange,
} from "../schemas/lxc-config/privileges";

/**
 * Bind sources a guest could swap for a link. liblxc resolves a bind source when it mounts it, at every start,
 * a guest's own reboot too (which the helper does not see): a container that has a directory mounted read-write can
 * replace anything below it by a link to a host path, and a later start of any container that binds a path below it
 * would mount that host path. So an operator's new bind line is refused (an admin's to make) when, in any container
 * of the lxcpath, a read-write bind source is a proper ancestor of another bind source inside the bind roots.
 */
type TBind = { container: string; source: string; writable: boolean };

const bindsOf = (container: string, text: string): TBind[] =>
  LxcConfig.parse(text)
    .entries()
    .flatMap(({ key, value }) => {
      if (key !== "lxc.mount.entry") return [];
      const { source, options } = parseMountEntry(value);
      const normal = normalisePath(source);
      if (normal === null || !(options.includes("bind") || options.includes("rbind"))) return [];
      return [{ container, source: normal, writable: !options.includes("ro") }];
    });

/** The new bind lines of `after` (not in `before`) that nest with a read-write bind source, in any container. */
export const nestedBindSources = async (
  lxcPath: string,
  name: string,
  before: string,
  after: string,
  bindRoots: readonly string[],
): Promise<TPrivilegedChange[]> => {
  if (bindRoots.length === 0) return [];
  const old = new Set(
    LxcConfig.parse(before)
      .entries()
      .map((entry) => `${entry.key}=${entry.value}`),
  );
  const added = LxcConfig.parse(after)
    .entries()
    .filter((entry) => entry.key === "lxc.mount.entry" && !old.has(`${entry.key}=${entry.value}`))
    .flatMap((entry) => bindsOf(name, `${entry.key} = ${entry.value}`).map((bind) => ({ entry, bind })))
    .filter(({ bind }) => isInBindRoots(bind.source, bindRoots));
  if (added.length === 0) return [];
  const all = [...bindsOf(name, after)];
  for (const other of await otherConfigs(lxcPath, name)) all.push(...bindsOf(other.name, other.text));
  const problems: TPrivilegedChange[] = [];
  for (const { entry, bind } of added) {
    const under = all.find(
      (other) => other.writable && other.source !== bind.source && isInside(bind.source, other.source),
    );
    const over = bind.writable
      ? all.find((other) => other.source !== bind.source && isInside(other.source, bind.source))
      : undefined;
    const clash = under ?? over;
    if (clash === undefined) continue;
    problems.push({
      line: entry.line,
      key: entry.key,
      value: entry.value,
      kind: "added",
      reason:
        clash === under
          ? `${clash.container} has ${clash.source} mounted read-write: its guest could replace ${bind.source} by a link to a host path before a start`
          : `${bind.source} mounted read-write would let this guest replace ${clash.source} (bound by ${clash.container}) by a link to a host path`,
    });
  }
  return problems;
};

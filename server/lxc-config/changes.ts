import { createHash } from "node:crypto";
import { createTwoFilesPatch } from "diff";
import { lookupKey } from "../schemas/lxc-config/catalogue";
import { LxcConfig } from "../schemas/lxc-config/model";

/** What a config change is, as a preview and a save report it: per key, and whether it can apply at once. */
export type TConfigChange = {
  key: string;
  before: string[];
  after: string[];
  /** "live": a running container can take it at once (lxc-cgroup); "restart": at its next start. */
  apply: "live" | "restart";
  /** What happened to a live change on a running container, when it was asked for. */
  applied?: { ok: true } | { ok: false; message: string };
};

/** The cgroup file an lxc.cgroup.* / lxc.cgroup2.* key sets (`memory.max`), or undefined for any other key. */
export const liveCgroupFile = (key: string) => /^lxc\.cgroup2?\.(.+)$/.exec(key)?.[1];

/** A config's version: the hash of its text (a save names the version it was based on). */
export const versionOf = (text: string) => createHash("sha256").update(text).digest("hex");

/** What differs between two configs, key by key (the effective values, in order). */
export const changesBetween = (before: string, after: string): TConfigChange[] => {
  const a = LxcConfig.parse(before);
  const b = LxcConfig.parse(after);
  const keys = [...new Set([...a.entries(), ...b.entries()].map((entry) => entry.key))];
  return keys.flatMap((key) => {
    const was = a.getAll(key);
    const now = b.getAll(key);
    if (JSON.stringify(was) === JSON.stringify(now)) return [];
    const info = lookupKey(key);
    return [
      {
        key,
        before: was,
        after: now,
        apply: info?.apply === "live" && liveCgroupFile(key) ? "live" : "restart",
      },
    ];
  });
};

/** A diff gets at most this long to compute (an adversarial pair of texts can take minutes). */
const DIFF_TIMEOUT_MS = 2000;

export const unifiedDiff = (name: string, before: string, after: string) => {
  if (before === after) return "";
  const patch = createTwoFilesPatch(`${name}/config`, `${name}/config`, before, after, "current", "new", {
    timeout: DIFF_TIMEOUT_MS,
  });
  return (
    patch ??
    `--- ${name}/config\tcurrent\n+++ ${name}/config\tnew\n# The changes are too many to show as a diff (more than ${DIFF_TIMEOUT_MS / 1000} s to compute).\n`
  );
};

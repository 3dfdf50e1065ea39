import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { TAutostartPlan } from "../helper/contract/autostart";
import { readConfigText } from "../helper/lxcpath-configs";
import {
  autostartOrder,
  autostartValues,
  bootGroupsOf,
  parseBootGroups,
  type TAutostartSelection,
} from "../schemas/autostart";
import { isValidContainerName } from "../schemas/container-name";
import { extrasOf, readAutostartStore } from "./store";

/**
 * The autostart picture of an lxcpath, read from the files alone (no lxc-* call, no web tier): every container's
 * lxc.start.* and lxc.group as liblxc reads them, Atelier's extras from the state directory, the host's BOOTGROUPS
 * (HOST_ROOT/etc/default/lxc) and the order lxc-autostart would start the boot's groups in.
 */
export type TPlanSources = { lxcPath: string; stateDir: string; hostRoot: string };

/** /etc/default/lxc's text (a regular file only), or null when there is none. */
const readDefaults = async (hostRoot: string) => {
  const file = path.join(hostRoot, "etc/default/lxc");
  const info = await lstat(file).catch(() => null);
  if (!info?.isFile() || info.size > 64 * 1024) return null;
  return readFile(file, "utf8").catch(() => null);
};

/** The containers of the lxcpath: directories with a regular config file (what lxc-ls lists). */
const containersOf = async (lxcPath: string) => {
  const names = (await readdir(lxcPath).catch(() => [] as string[])).filter(isValidContainerName).sort();
  const found = await Promise.all(
    names.map(async (name) => {
      const info = await lstat(path.join(lxcPath, name, "config")).catch(() => null);
      if (!info?.isFile()) return null;
      return { name, text: await readConfigText(path.join(lxcPath, name, "config")) };
    }),
  );
  return found.filter((entry): entry is { name: string; text: string } => entry !== null);
};

export const readAutostartPlan = async ({
  lxcPath,
  stateDir,
  hostRoot,
}: TPlanSources): Promise<TAutostartPlan> => {
  const [containers, store, defaults] = await Promise.all([
    containersOf(lxcPath),
    readAutostartStore(stateDir),
    readDefaults(hostRoot),
  ]);
  const bootGroupList = parseBootGroups(defaults);
  const entries = containers.map(({ name, text }) => {
    const values = autostartValues(text);
    return { name, values, ...extrasOf(store, name) };
  });
  return {
    bootGroupList,
    bootGroups: bootGroupsOf(bootGroupList),
    containers: entries.map(({ name, values, dependency, stopTimeoutSeconds }) => ({
      name,
      ...values,
      dependency,
      stopTimeoutSeconds,
    })),
    startOrder: autostartOrder(entries, { groups: bootGroupList }).map((entry) => entry.name),
  };
};

/** The names a run takes, in lxc-autostart's order: the boot's groups (null), or a -g list. */
export const selectionOrder = (plan: TAutostartPlan, group: string | null) => {
  const selection: TAutostartSelection = { groups: group ?? plan.bootGroupList };
  return autostartOrder(
    plan.containers.map((entry) => ({ name: entry.name, values: entry })),
    selection,
  ).map((entry) => entry.name);
};

import type { z } from "zod";
import { isInGroupPass, type TDependency } from "@/server/schemas/autostart";
import type { ZAutostartBoardResponseSchema } from "@/server/trpc/routers/autostart/autostart.types";

/**
 * The Autostart board's rules, pure (components/autostart/autostart-board.tsx draws them): which boot pass each
 * container of the boot order is in, the rows' moves (by keyboard, by drag) and the order sent to
 * `autostart.reorder`, and the edit form's fields read and checked.
 */

export type TBoard = z.infer<typeof ZAutostartBoardResponseSchema>;
export type TBoardContainer = TBoard["containers"][number];
export type TPass = { number: number; group: string; names: string[] };

/**
 * The boot order cut into its passes: each boot group in turn takes, in the boot order, the containers it starts
 * and an earlier pass did not. `startOrder` is the server's (lxc-autostart's) order, so every pass is a run of it.
 */
export const bootPasses = (board: TBoard): TPass[] => {
  const byName = new Map(board.containers.map((container) => [container.name, container]));
  const taken = new Set<string>();
  return board.bootGroups.map((group, index) => {
    const names = board.startOrder.filter((name) => {
      if (taken.has(name)) return false;
      const container = byName.get(name);
      if (!container || !isInGroupPass(group, container.groups)) return false;
      taken.add(name);
      return true;
    });
    return { number: index + 1, group, names };
  });
};

/** Marked to start (lxc.start.auto = 1) but not in the boot order: their groups are not the boot's, or LXC refuses their config. */
export const leftOutAtBoot = (board: TBoard) => {
  const atBoot = new Set(board.startOrder);
  return board.containers.filter((container) => container.auto && !atBoot.has(container.name));
};

/** Containers that do not start with the host. */
export const notAutostarted = (board: TBoard) => board.containers.filter((container) => !container.auto);

/**
 * The boot order with `name` moved one place up (-1) or down (+1) inside its pass (a pass is started whole before
 * the next, so a move across passes would change nothing at boot). Null when it cannot move that way.
 */
export const moveInPass = (passes: readonly TPass[], name: string, delta: -1 | 1): string[] | null => {
  const pass = passes.find((candidate) => candidate.names.includes(name));
  if (!pass) return null;
  const from = pass.names.indexOf(name);
  const to = from + delta;
  if (to < 0 || to >= pass.names.length) return null;
  return orderWith(passes, pass.number, moved(pass.names, from, to));
};

/** The boot order with `name` dropped at the place of `target` (a drag), both in the same pass; null otherwise. */
export const dropInPass = (passes: readonly TPass[], name: string, target: string): string[] | null => {
  const pass = passes.find((candidate) => candidate.names.includes(name));
  if (!pass || name === target || !pass.names.includes(target)) return null;
  return orderWith(
    passes,
    pass.number,
    moved(pass.names, pass.names.indexOf(name), pass.names.indexOf(target)),
  );
};

const moved = (names: readonly string[], from: number, to: number) => {
  const next = [...names];
  const [name] = next.splice(from, 1);
  if (name !== undefined) next.splice(to, 0, name);
  return next;
};

/** Every pass's names in turn, one pass's replaced: the whole boot order, as `autostart.reorder` takes it. */
const orderWith = (passes: readonly TPass[], number: number, names: string[]) =>
  passes.flatMap((pass) => (pass.number === number ? names : pass.names));

/** Where a name is in its pass (1-based) and how many the pass holds, for the moves' announcement. */
export const placeOf = (passes: readonly TPass[], order: readonly string[], name: string) => {
  const pass = passes.find((candidate) => candidate.names.includes(name));
  const names = order.filter((entry) => pass?.names.includes(entry));
  return { position: names.indexOf(name) + 1, count: names.length };
};

/** The edit form's fields, as typed. */
export type TEditFields = {
  delay: string;
  groups: string;
  stopTimeout: string;
  after: string;
  probe: "tcp" | "ping";
  port: string;
  timeout: string;
};

export const fieldsOf = (container: TBoardContainer): TEditFields => ({
  delay: String(container.delay),
  groups: container.groups.join(" "),
  stopTimeout: String(container.stopTimeoutSeconds),
  after: container.dependency?.after ?? "",
  probe: container.dependency?.probe.kind ?? "tcp",
  port: container.dependency?.probe.kind === "tcp" ? String(container.dependency.probe.port) : "",
  timeout: String(container.dependency?.timeoutSeconds ?? 60),
});

const GROUP = /^[A-Za-z0-9_.-]{1,64}$/;
const whole = (text: string, min: number, max: number) => {
  const value = text.trim();
  if (!/^\d+$/.test(value)) return null;
  const number = Number(value);
  return number >= min && number <= max ? number : null;
};

export type TEditValues = {
  delay: number;
  groups: string[];
  stopTimeoutSeconds: number;
  dependency: TDependency | null;
};

/** The fields read (groups split on spaces and commas, duplicates dropped), or null when one is not valid. */
export const readFields = (fields: TEditFields): TEditValues | null => {
  const delay = whole(fields.delay, 0, 3600);
  const stopTimeoutSeconds = whole(fields.stopTimeout, 1, 600);
  const groups = [...new Set(fields.groups.split(/[\s,]+/).filter(Boolean))];
  if (delay === null || stopTimeoutSeconds === null || !groups.every((group) => GROUP.test(group)))
    return null;
  if (fields.after === "") return { delay, groups, stopTimeoutSeconds, dependency: null };
  const timeoutSeconds = whole(fields.timeout, 1, 600);
  if (timeoutSeconds === null) return null;
  if (fields.probe === "ping")
    return {
      delay,
      groups,
      stopTimeoutSeconds,
      dependency: { after: fields.after, probe: { kind: "ping" }, timeoutSeconds },
    };
  const port = whole(fields.port, 1, 65_535);
  if (port === null) return null;
  return {
    delay,
    groups,
    stopTimeoutSeconds,
    dependency: { after: fields.after, probe: { kind: "tcp", port }, timeoutSeconds },
  };
};

const sameDependency = (a: TDependency | null, b: TDependency | null) =>
  JSON.stringify(a) === JSON.stringify(b);

/** What the form changes: the `autostart.set` fields that differ, and the dependency when it differs. */
export const changesOf = (container: TBoardContainer, values: TEditValues) => {
  const set: { delay?: number; groups?: string[]; stopTimeoutSeconds?: number } = {};
  if (values.delay !== container.delay) set.delay = values.delay;
  if (values.groups.join(" ") !== container.groups.join(" ")) set.groups = values.groups;
  if (values.stopTimeoutSeconds !== container.stopTimeoutSeconds)
    set.stopTimeoutSeconds = values.stopTimeoutSeconds;
  return {
    set: Object.keys(set).length > 0 ? set : null,
    dependency: sameDependency(container.dependency, values.dependency) ? undefined : values.dependency,
  };
};

/** The groups one may start or stop now: the boot's named groups, then every other group a container has. */
export const runGroups = (board: TBoard) => [
  ...new Set([
    ...board.bootGroups.filter((group) => group !== ""),
    ...board.containers.flatMap((container) => container.groups).sort(),
  ]),
];

/** How many containers a run takes: the boot set (null) or the autostart containers of one group. */
export const runCount = (board: TBoard, group: string | null) =>
  group === null
    ? board.startOrder.length
    : board.containers.filter((container) => container.auto && isInGroupPass(group, container.groups)).length;

import { describe, expect, it } from "vitest";
import {
  bootPasses,
  changesOf,
  dropInPass,
  fieldsOf,
  leftOutAtBoot,
  moveInPass,
  notAutostarted,
  placeOf,
  readFields,
  runCount,
  runGroups,
  type TBoard,
  type TBoardContainer,
} from "./board-model";

const container = (name: string, values: Partial<TBoardContainer> = {}): TBoardContainer => ({
  name,
  state: "STOPPED",
  auto: true,
  order: 0,
  delay: 0,
  groups: [],
  dependency: null,
  stopTimeoutSeconds: 30,
  ...values,
});

// Boot groups "onboot," : the onboot pass, then the containers without a group. "web" is in a group the boot does
// not start; "off" does not start with the host.
const board: TBoard = {
  bootGroups: ["onboot", ""],
  containers: [
    container("db", { groups: ["onboot"], order: 1 }),
    container("cache", { groups: ["onboot"], order: 2 }),
    container("app", { groups: ["onboot", "web"], order: 3 }),
    container("plain1"),
    container("plain2"),
    container("web", { groups: ["web"] }),
    container("off", { auto: false }),
  ],
  startOrder: ["db", "cache", "app", "plain1", "plain2"],
};

describe("the Autostart board's passes", () => {
  it("cut the boot order into the boot groups' passes, each container in the first pass that takes it", () => {
    expect(bootPasses(board)).toEqual([
      { number: 1, group: "onboot", names: ["db", "cache", "app"] },
      { number: 2, group: "", names: ["plain1", "plain2"] },
    ]);
  });

  it("take a container whose group is a prefix of the pass's name, as lxc-autostart does", () => {
    const prefix: TBoard = {
      ...board,
      containers: [container("on", { groups: ["on"] })],
      startOrder: ["on"],
    };
    expect(bootPasses(prefix)[0]?.names).toEqual(["on"]);
  });

  it("say which containers are marked but left out at boot, and which do not start with the host", () => {
    expect(leftOutAtBoot(board).map((c) => c.name)).toEqual(["web"]);
    expect(notAutostarted(board).map((c) => c.name)).toEqual(["off"]);
  });
});

describe("the moves", () => {
  const passes = bootPasses(board);

  it("move a row one place inside its pass, the whole boot order sent", () => {
    expect(moveInPass(passes, "cache", -1)).toEqual(["cache", "db", "app", "plain1", "plain2"]);
    expect(moveInPass(passes, "cache", 1)).toEqual(["db", "app", "cache", "plain1", "plain2"]);
    expect(moveInPass(passes, "plain2", -1)).toEqual(["db", "cache", "app", "plain2", "plain1"]);
  });

  it("do not cross a pass's ends (a pass runs whole before the next)", () => {
    expect(moveInPass(passes, "db", -1)).toBeNull();
    expect(moveInPass(passes, "app", 1)).toBeNull();
    expect(moveInPass(passes, "plain1", -1)).toBeNull();
    expect(moveInPass(passes, "web", 1)).toBeNull();
  });

  it("drop a dragged row at another's place in the same pass only", () => {
    expect(dropInPass(passes, "app", "db")).toEqual(["app", "db", "cache", "plain1", "plain2"]);
    expect(dropInPass(passes, "db", "app")).toEqual(["cache", "app", "db", "plain1", "plain2"]);
    expect(dropInPass(passes, "db", "plain1")).toBeNull();
    expect(dropInPass(passes, "db", "db")).toBeNull();
  });

  it("announce the row's new place in its pass", () => {
    const order = moveInPass(passes, "cache", 1) ?? [];
    expect(placeOf(passes, order, "cache")).toEqual({ position: 3, count: 3 });
    expect(placeOf(passes, board.startOrder, "plain2")).toEqual({ position: 2, count: 2 });
  });
});

describe("the edit form", () => {
  const db = container("db", {
    delay: 5,
    groups: ["onboot", "sql"],
    dependency: { after: "net", probe: { kind: "tcp", port: 53 }, timeoutSeconds: 20 },
  });

  it("reads back what it shows, and changes nothing when nothing was changed", () => {
    const fields = fieldsOf(db);
    expect(fields).toEqual({
      delay: "5",
      groups: "onboot sql",
      stopTimeout: "30",
      after: "net",
      probe: "tcp",
      port: "53",
      timeout: "20",
    });
    const values = readFields(fields);
    expect(values).not.toBeNull();
    expect(
      changesOf(db, values ?? { delay: 0, groups: [], stopTimeoutSeconds: 1, dependency: null }),
    ).toEqual({
      set: null,
      dependency: undefined,
    });
  });

  it("sends only what changed: groups split on spaces and commas, a ping dependency, or none", () => {
    const values = readFields({
      ...fieldsOf(db),
      groups: "onboot, web,web",
      probe: "ping",
      stopTimeout: "60",
    });
    expect(values && changesOf(db, values)).toEqual({
      set: { groups: ["onboot", "web"], stopTimeoutSeconds: 60 },
      dependency: { after: "net", probe: { kind: "ping" }, timeoutSeconds: 20 },
    });
    const none = readFields({ ...fieldsOf(db), after: "" });
    expect(none && changesOf(db, none)).toEqual({ set: null, dependency: null });
  });

  it("refuses what the server would: negative or non-numbers, a port out of range, a group with a space or comma's neighbours", () => {
    const fields = fieldsOf(db);
    expect(readFields({ ...fields, delay: "-1" })).toBeNull();
    expect(readFields({ ...fields, delay: "1.5" })).toBeNull();
    expect(readFields({ ...fields, stopTimeout: "0" })).toBeNull();
    expect(readFields({ ...fields, port: "65536" })).toBeNull();
    expect(readFields({ ...fields, port: "" })).toBeNull();
    expect(readFields({ ...fields, timeout: "0" })).toBeNull();
    expect(readFields({ ...fields, groups: "on/boot" })).toBeNull();
    // Without a dependency, its fields do not matter.
    expect(readFields({ ...fields, after: "", port: "x", timeout: "x" })).not.toBeNull();
  });
});

describe("the runs", () => {
  it("offer the boot's named groups first, then every other group", () => {
    expect(runGroups(board)).toEqual(["onboot", "web"]);
  });

  it("count the containers a run takes", () => {
    expect(runCount(board, null)).toBe(5);
    expect(runCount(board, "onboot")).toBe(3);
    expect(runCount(board, "web")).toBe(2);
  });
});

import { describe, expect, it } from "vitest";
import type { TListedContainer } from "../helper/contract/lxc";
import { ContainerStateTable } from "./state-table";

/** The table of containers, on a fake driver: single refreshes against full reads, and what each leaves behind. */
const container = (name: string): TListedContainer => ({
  name,
  state: "RUNNING",
  pid: 100,
  ipv4: [],
  ipv6: [],
  autostart: false,
  groups: [],
  unprivileged: true,
});

const setup = () => {
  const host = new Map([["web", container("web")]]);
  let clock = 0;
  let holdList: Promise<void> | null = null;
  const lxc = {
    list: async () => {
      const seen = [...host.values()];
      await holdList;
      return seen;
    },
    get: (name: string) => {
      const row = host.get(name);
      return row
        ? Promise.resolve({ ...row, configPath: `/var/lib/lxc/${name}/config`, lxcPath: "/var/lib/lxc" })
        : Promise.reject(new Error(`${name} does not exist`));
    },
  };
  const table = new ContainerStateTable(lxc, { maxAgeMs: 60_000, now: () => (clock += 1) });
  /** What the table remembers of single refreshes (private: this is the leak under test). */
  const remembered = () => (table as unknown as { rowWrittenAt: Map<string, number> }).rowWrittenAt;
  return {
    host,
    table,
    remembered,
    hold: () => {
      let release = () => undefined as void;
      holdList = new Promise<void>((resolve) => (release = resolve));
      return () => {
        holdList = null;
        release();
      };
    },
  };
};

describe("the container state table", () => {
  it("remembers nothing of operations on names that do not exist", async () => {
    const { table, remembered } = setup();
    await table.list();
    for (let index = 0; index < 100; index += 1)
      expect(await table.refresh(`nothere${index}`)).toBeUndefined();
    expect(remembered().size).toBe(0);
    expect((await table.list()).map((row) => row.name)).toEqual(["web"]);
  });

  it("forgets a destroyed container's row and its refresh time", async () => {
    const { host, table, remembered } = setup();
    await table.list();
    await table.refresh("web");
    expect(remembered().has("web")).toBe(true);
    host.delete("web");
    await table.refresh("web");
    expect(remembered().size).toBe(0);
    expect(await table.list()).toEqual([]);
  });

  it("keeps a full read that began before a destroy from bringing its row back, then forgets it", async () => {
    const { host, table, remembered, hold } = setup();
    await table.list();
    const release = hold();
    const reading = table.reload(); // sees "web"
    host.delete("web");
    await table.refresh("web");
    expect(remembered().has("web")).toBe(true);
    release();
    await reading;
    expect(await table.row("web")).toBeUndefined();
    expect(remembered().size).toBe(0);
  });
});

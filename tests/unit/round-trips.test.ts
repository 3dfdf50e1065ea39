import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createContainerService } from "@/server/containers/service";
import { AppError } from "@/server/errors";
import { createConfigService } from "@/server/lxc-config/service";
import type { TConfigVerdict } from "@/server/helper/contract/lxc";
import type { TLxcDriver } from "@/server/helper-client/lxc";
import { useTempDb } from "@/tests/temp-db";

/**
 * Requests that go straight (#21): how many calls to the helper `containers.start` and `config.save` make, counted
 * on the functions the runtime injects (each one call over the helper's socket: server/runtime.ts,
 * server/helper-client/lxc.ts). The helper is a small model of the real one: its operations find a missing container
 * themselves, and its config.write loads the candidate in "liblxc" (here: refuses `lxc.mount.auto = bogus`) before
 * it writes, refusing without the problems (they do not cross the socket).
 */
const LXC_PATH = "/var/lib/lxc";
const database = useTempDb("round-trips");

type TFakeContainer = { state: "STOPPED" | "RUNNING"; config: string };
let world: Map<string, TFakeContainer>;
let calls: string[];

const notFound = (name: string) =>
  new AppError("NOT_FOUND", { message: `There is no container named "${name}"`, hint: "Check the name." });
const must = (name: string) => {
  const container = world.get(name);
  if (!container) throw notFound(name);
  return container;
};
/** One call to the helper: counted, then run. */
const helper =
  <A extends unknown[], R>(op: string, run: (...args: A) => R) =>
  async (...args: A): Promise<Awaited<R>> => {
    calls.push(op);
    return await run(...args);
  };
const liblxc = (text: string): TConfigVerdict => {
  const line = text.split("\n").findIndex((entry) => entry.trim() === "lxc.mount.auto = bogus");
  return line < 0
    ? { isValid: true }
    : { isValid: false, line: line + 1, message: "Invalid filesystem to automount" };
};
const row = (name: string) => ({
  name,
  state: must(name).state,
  pid: null,
  ipv4: [],
  ipv6: [],
  autostart: false,
  groups: [],
  unprivileged: false,
});

const lxc = {
  lxcPath: LXC_PATH,
  configPath: (name: string) => path.join(LXC_PATH, name, "config"),
  notFound,
  exists: helper("lxc.exists", (name: string) => world.has(name)),
  list: helper("lxc.list", () => [...world.keys()].map(row)),
  get: helper("lxc.get", row),
  info: helper("lxc.info", (name: string) => ({ state: must(name).state })),
  state: helper("lxc.info", (name: string) => must(name).state),
  start: helper("lxc.start", (name: string) => {
    const container = must(name);
    if (container.state !== "STOPPED")
      throw new AppError("PRECONDITION_FAILED", { message: `"${name}" is RUNNING: it is already running` });
    container.state = "RUNNING";
  }),
  setCgroup: helper("lxc.setCgroup", (name: string, _file: string, _value: string) => {
    must(name);
  }),
} as unknown as TLxcDriver;

const services = () => {
  const containers = createContainerService({ lxc, listMaxAgeMs: 60_000 });
  const config = createConfigService({
    db: database(),
    lxc,
    containers,
    check: helper("lxc.checkConfig", liblxc),
    readConfig: helper("config.read", (name: string) => must(name).config),
    hostPaths: helper("config.hostPaths", (_text: string) => []),
    writeFile: helper("config.write", (name: string, text: string) => {
      const container = must(name);
      const verdict = liblxc(text);
      if (!verdict.isValid)
        throw new AppError("BAD_REQUEST", {
          message: `Nothing was written: LXC refuses this config (line ${verdict.line}): ${verdict.message}`,
          field: "text",
          problems: [
            {
              line: verdict.line ?? 1,
              severity: "error",
              message: `LXC refuses this config: ${verdict.message}`,
            },
          ],
        });
      container.config = text;
    }),
  });
  return { containers, config };
};

const CONFIG = "lxc.uts.name = c1\nlxc.rootfs.path = dir:/var/lib/lxc/c1/rootfs\n";
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: AppError) => error,
  );

beforeEach(() => {
  world = new Map([["c1", { state: "STOPPED", config: CONFIG }]]);
  calls = [];
});

describe("containers.start", () => {
  it("starts with the start itself and the row's refresh: 2 calls, no existence check of its own", async () => {
    const { containers } = services();
    await containers.start("c1");
    expect(calls).toEqual(["lxc.start", "lxc.get"]);
    expect(world.get("c1")?.state).toBe("RUNNING");
  });

  it("says NOT_FOUND for a missing container, as the helper's start finds it, in 2 calls", async () => {
    const { containers } = services();
    expect(await failure(containers.start("ghost"))).toMatchObject({ code: "NOT_FOUND" });
    expect(calls.length).toBeLessThanOrEqual(2);
    expect(calls).not.toContain("lxc.exists");
  });

  it("refuses a running container, as the helper's start does, in 2 calls", async () => {
    const { containers } = services();
    world.set("c1", { state: "RUNNING", config: CONFIG });
    expect(await failure(containers.start("c1"))).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(calls).toEqual(["lxc.start", "lxc.get"]);
  });
});

describe("config.save", () => {
  const save = async (raw: string, options: { applyLive?: boolean; baseVersion?: string } = {}) => {
    const { config } = services();
    const current = await config.read("c1");
    calls = [];
    return config.save({
      name: "c1",
      raw,
      baseVersion: options.baseVersion ?? current.version,
      actor: "ada",
      role: "admin",
      applyLive: options.applyLive ?? false,
    });
  };

  it("reads, asks for the host paths' warnings and writes: 3 calls (liblxc is the write's own check)", async () => {
    const raw = `${CONFIG}lxc.start.auto = 1\n`;
    await save(raw);
    expect(calls).toEqual(["config.read", "config.hostPaths", "config.write"]);
    expect(world.get("c1")?.config).toBe(raw);
  });

  it("asks liblxc itself for an unchanged text, which nothing writes: 3 calls", async () => {
    await save(CONFIG);
    expect(calls).toEqual(["config.read", "config.hostPaths", "lxc.checkConfig"]);
  });

  it("refuses what liblxc refuses with the line the helper's refusal carries: 3 calls", async () => {
    const raw = `${CONFIG}lxc.mount.auto = bogus\n`;
    const error = await failure(save(raw));
    expect(error).toMatchObject({ code: "BAD_REQUEST", field: "raw" });
    expect(error?.problems).toContainEqual(
      expect.objectContaining({
        line: 3,
        message: "LXC refuses this config: Invalid filesystem to automount",
      }),
    );
    expect(world.get("c1")?.config).toBe(CONFIG);
    // The helper's refusal carries liblxc's line across the socket: liblxc is not asked again.
    expect(calls).toEqual(["config.read", "config.hostPaths", "config.write"]);
  });

  it("stops at the read for a stale base version (409) and for a missing container (404)", async () => {
    expect(
      await failure(save(`${CONFIG}lxc.start.auto = 1\n`, { baseVersion: "0".repeat(64) })),
    ).toMatchObject({
      code: "CONFLICT",
    });
    expect(calls).toEqual(["config.read"]);
    calls = [];
    const { config } = services();
    expect(
      await failure(
        config.save({
          name: "ghost",
          raw: CONFIG,
          baseVersion: "x",
          actor: "ada",
          role: "admin",
          applyLive: false,
        }),
      ),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(calls).toEqual(["config.read"]);
  });

  it("applies a live change to a running container with one call per value on top (the state from the table)", async () => {
    world.set("c1", { state: "RUNNING", config: CONFIG });
    const { containers, config } = services();
    // The state table as the monitor keeps it: current, so the state costs no call.
    await containers.list();
    const current = await config.read("c1");
    calls = [];
    const saved = await config.save({
      name: "c1",
      raw: `${CONFIG}lxc.cgroup.memory.limit_in_bytes = 96M\n`,
      baseVersion: current.version,
      actor: "ada",
      role: "admin",
      applyLive: true,
    });
    expect(calls).toEqual(["config.read", "config.hostPaths", "config.write", "lxc.setCgroup"]);
    expect(saved.changes[0]?.applied).toEqual({ ok: true });
  });
});

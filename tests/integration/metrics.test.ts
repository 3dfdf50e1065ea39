import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { lxcPath, uniqueName } from "../lxc-oracle";
import { callProcedure, startServer, type TRunningServer } from "../server";
import { useServer } from "../use-server";
import { openStream } from "../sse";
import { allocateMemory, startCpuBurner } from "../workloads";

/**
 * Resource usage against real containers: the sampler reads their cgroups every second (the interval is the
 * default), and what it reports is checked against what the containers were made to do.
 */
const server = useServer();
const created = server.made;

type TSample = {
  cpu: { percent: number | null; percentOfCpuset: number | null };
  memory: { usage: number; rss: number | null; limit: number | null };
  oomKills: number | null;
  pids: { current: number | null };
  net: { interfaces: { name: string }[] };
};
const lxc = (tool: string, ...args: string[]) => execa(tool, ["-P", lxcPath(), ...args]);

const running = async (prefix: string) => {
  const name = uniqueName(prefix);
  created.push(name);
  expect((await callProcedure(server, "containers.create", { name, template: "busybox" })).status).toBe(200);
  expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);
  return name;
};

const sampleOf = async (name: string) => {
  const response = await callProcedure(
    server,
    "metrics.current",
    { containers: [name] },
    { kind: "query", as: "viewer" },
  );
  expect(response.status).toBe(200);
  return (response.data as { containers?: Record<string, TSample | null> }).containers?.[name] ?? null;
};

describe("resource usage of real containers", () => {
  it("shows a CPU burner above 50 % of a CPU within a few seconds, and its pids and interfaces", async () => {
    const name = await running("burn");
    // Detached: the loop runs in the container until it stops.
    await startCpuBurner(name);
    await expect
      .poll(async () => (await sampleOf(name))?.cpu.percentOfCpuset ?? 0, { timeout: 15_000, interval: 500 })
      .toBeGreaterThan(100 / Number((await execa("nproc")).stdout) / 2);
    const sample = await sampleOf(name);
    // One busy CPU out of the host's: more than 50 % of one CPU.
    expect((sample?.cpu.percent ?? 0) * Number((await execa("nproc")).stdout)).toBeGreaterThan(50);
    expect(sample?.pids.current).toBeGreaterThanOrEqual(2);
    expect(sample?.net.interfaces.map((entry) => entry.name)).toContain("eth0");
    await callProcedure(server, "containers.stop", { name, force: true });
  });

  it("shows memory a process allocates, and the OOM kill when it goes over the limit", async () => {
    const name = await running("mem");
    const before =
      (await expect.poll(() => sampleOf(name), { timeout: 10_000 }).not.toBeNull(), await sampleOf(name));
    // A 40 MB shell variable: the container's memory grows by at least that much while it is held.
    void allocateMemory(name, 40_000_000, 30);
    await expect
      .poll(async () => (await sampleOf(name))?.memory.usage ?? 0, { timeout: 20_000, interval: 500 })
      .toBeGreaterThan((before?.memory.usage ?? 0) + 35_000_000);

    // A 64 MiB limit set live, then a 100 MB allocation: the kernel kills it.
    await lxc("lxc-cgroup", "-n", name, "memory.limit_in_bytes", "64M");
    // Limits are re-read every 10 samples.
    await expect
      .poll(async () => (await sampleOf(name))?.memory.limit, { timeout: 15_000 })
      .toBe(64 * 1024 * 1024);
    const stream = await openStream(`${server.url}/api/events`, {
      authorization: `Bearer ${server.tokens.viewer}`,
    });
    try {
      expect(await allocateMemory(name, 100_000_000)).toBe(137);
      await expect
        .poll(async () => (await sampleOf(name))?.oomKills ?? 0, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(1);
      const event = await stream.waitFor(
        (e) => e.event === "atelier" && e.data.type === "oom" && e.data.container === name,
      );
      expect(event.data.data).toMatchObject({
        kills: expect.any(Number) as unknown,
        limit: 64 * 1024 * 1024,
      });
      const listed = await callProcedure(
        server,
        "events.list",
        { container: name, type: "oom" },
        { kind: "query", as: "viewer" },
      );
      expect((listed.data as { events: unknown[] }).events.length).toBeGreaterThanOrEqual(1);
    } finally {
      stream.close();
    }
  });
});

describe("metrics over the live stream", () => {
  it("sends nothing until a page says what it shows, then exactly that every tick", async () => {
    const name = await running("watch");
    const stream = await openStream(`${server.url}/api/events`, {
      authorization: `Bearer ${server.tokens.viewer}`,
    });
    try {
      const hello = await stream.waitFor((event) => event.event === "hello");
      const streamId = String(hello.data.streamId);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(stream.events.filter((event) => event.event === "metrics")).toHaveLength(0);

      // Another user cannot point this stream anywhere.
      const stolen = await callProcedure(
        server,
        "metrics.current",
        { summary: true, streamId },
        { kind: "query", as: "operator" },
      );
      expect(stolen.status).toBe(404);

      const current = await callProcedure(
        server,
        "metrics.current",
        { summary: true, containers: [name], streamId },
        { kind: "query", as: "viewer" },
      );
      expect(current.status).toBe(200);
      const first = await stream.waitFor((event) => event.event === "metrics");
      expect(Object.keys(first.data.containers as object)).toEqual([name]);
      expect((first.data.summary as { name: string }[]).map((row) => row.name)).toContain(name);
      expect(first.data.host).toBeUndefined();
      await expect
        .poll(() => stream.events.filter((event) => event.event === "metrics").length, { timeout: 5000 })
        .toBeGreaterThanOrEqual(3);

      await callProcedure(
        server,
        "metrics.current",
        { host: true, streamId },
        { kind: "query", as: "viewer" },
      );
      const count = stream.events.length;
      const hostOnly = await stream.waitFor(
        (event, index = stream.events.indexOf(event)) =>
          event.event === "metrics" && index >= count && event.data.host !== undefined,
      );
      expect(hostOnly.data.summary).toBeUndefined();
      expect(hostOnly.data.host).toMatchObject({
        cpus: expect.any(Number) as unknown,
        disk: { available: expect.any(Number) as unknown },
      });
    } finally {
      stream.close();
    }
  });

  it("rejects bad input with a field error", async () => {
    const bad = await callProcedure(
      server,
      "metrics.history",
      { name: "x;rm -rf /", range: "1h" },
      { kind: "query", as: "viewer" },
    );
    expect(bad.status).toBe(400);
    const window = await callProcedure(
      server,
      "metrics.history",
      { name: "whatever", range: "1h", from: new Date(2026, 1, 2), to: new Date(2026, 1, 1) },
      { kind: "query", as: "viewer" },
    );
    expect(window.status).toBe(400);
    const missing = await callProcedure(
      server,
      "metrics.history",
      { name: "no-such-container", range: "1h" },
      { kind: "query", as: "viewer" },
    );
    expect(missing.status).toBe(404);
  });
});

describe("usage history", () => {
  it("answers the last hour at 1 s, and survives a restart of the server", async () => {
    const own = await startServer();
    const name = uniqueName("hist");
    created.push(name);
    expect((await callProcedure(own, "containers.create", { name, template: "busybox" })).status).toBe(200);
    expect((await callProcedure(own, "containers.start", { name })).status).toBe(200);
    type THistory = {
      resolution: number;
      t: number[];
      series: { memory: Record<"min" | "avg" | "max", (number | null)[]> };
    };
    const history = async (target: TRunningServer) =>
      (await callProcedure(target, "metrics.history", { name, range: "1h" }, { kind: "query", as: "viewer" }))
        .data as THistory;
    await expect
      .poll(async () => (await history(own)).t.length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    expect((await history(own)).resolution).toBe(1);
    expect((await history(own)).series.memory.avg.at(-1)).toBeGreaterThan(0);
    // SIGTERM writes the minute in progress; the next server answers it from the database, as the point of its
    // minute: every second served before the restart is covered after it by the point at its minute's start, whose
    // range holds the figure (not merely the new server's own first samples).
    const served = await history(own);
    const restarted = await own.restart();
    try {
      const after = await history(restarted);
      const memory = after.series.memory;
      const lost = served.t.filter((t, index) => {
        const at = after.t.indexOf(Math.floor(t / 60_000) * 60_000);
        const value = served.series.memory.avg[index] ?? null;
        const [low, high] = [memory.min[at] ?? null, memory.max[at] ?? null];
        return at === -1 || value === null || low === null || high === null || value < low || value > high;
      });
      expect(lost, `of ${served.t.length} seconds, at ${JSON.stringify(after.t)}`).toEqual([]);
      // And after them, the new server's own seconds, in order.
      expect(after.t).toEqual([...after.t].sort((a, b) => a - b));
      expect(after.t.at(-1)).toBeGreaterThan(served.t.at(-1) ?? 0);
    } finally {
      await restarted.stop();
    }
  });
});

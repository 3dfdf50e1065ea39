import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { readlink } from "node:fs/promises";
import { lxcPath, uniqueName } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { startCpuBurner } from "../workloads";

/**
 * GET /metrics as Prometheus scrapes it: with an API token, checked by Prometheus' own linter (promtool, Debian's
 * prometheus package: scripts/lib/setup.sh installs it for the tests, its service neither started nor enabled),
 * refused without credentials, and a container's CPU counter moving while a busy loop runs in it.
 */
const server = useServer({ timeoutMs: 240_000 });

const scrape = async (
  headers: Record<string, string> = { authorization: `Bearer ${server.tokens.viewer}` },
) => {
  const response = await fetch(`${server.url}/metrics`, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
};

/** The value of one sample (`name{labels}`), or null when the exposition has none. */
const valueOf = (text: string, series: string) => {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
};

describe("GET /metrics", () => {
  it("answers a token in the text format that promtool checks without a single lint problem", async () => {
    // A request is counted once answered: the second scrape shows the first.
    await scrape();
    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(text).toContain("# TYPE atelier_container_cpu_seconds_total counter");
    expect(text).toMatch(/^atelier_host_cpu_seconds_total\{mode="user"\} \d/m);
    expect(text).toMatch(/^atelier_http_requests_total\{route="metrics",code="200"\} \d/m);
    const check = await execa("promtool", ["check", "metrics"], { input: text, reject: false, all: true });
    expect(check.all, "promtool's findings").toBe("");
    expect(check.exitCode).toBe(0);
  });

  it("refuses a scrape without credentials or with a bad token, and never redirects it to sign in", async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: "Bearer atl_t_nope" })).status).toBe(401);
    const post = await fetch(`${server.url}/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.tokens.viewer}` },
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
    expect(post.status).toBe(405);
  });

  it("shows a container's CPU seconds counter moving while a busy loop runs in it", async () => {
    const name = uniqueName("prom");
    server.made.push(name);
    expect((await callProcedure(server, "containers.create", { name, template: "busybox" })).status).toBe(
      200,
    );
    expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);
    const series = `atelier_container_cpu_seconds_total{container="${name}"}`;
    await expect.poll(async () => valueOf((await scrape()).text, series), { timeout: 15_000 }).not.toBeNull();
    const running = (await scrape()).text;
    expect(valueOf(running, `atelier_container_state{container="${name}",state="running"}`)).toBe(1);
    expect(valueOf(running, `atelier_container_state{container="${name}",state="stopped"}`)).toBe(0);
    expect(valueOf(running, `atelier_container_memory_bytes{container="${name}"}`)).toBeGreaterThan(0);
    // Idle, busybox's init uses next to no CPU; with a busy loop, the counter gains whole seconds (on a loaded
    // machine a loop gets less than a CPU: the bound is on the counter, not on a rate).
    const idleFrom = valueOf(running, series) ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const before = valueOf((await scrape()).text, series) ?? 0;
    expect(before - idleFrom).toBeLessThan(0.2);
    await startCpuBurner(name);
    await expect
      .poll(async () => (valueOf((await scrape()).text, series) ?? 0) - before, {
        timeout: 30_000,
        interval: 1000,
      })
      .toBeGreaterThan(2);
    const nproc = Number((await execa("nproc")).stdout);
    expect(valueOf((await scrape()).text, "atelier_host_cpus")).toBe(nproc);
    await callProcedure(server, "containers.stop", { name, force: true });
  });
});

describe("a hostile container's interfaces", () => {
  it("make at most a fixed number of series, never two with one label set, however many it names", async () => {
    const name = uniqueName("promnet");
    server.made.push(name);
    expect((await callProcedure(server, "containers.create", { name, template: "busybox" })).status).toBe(
      200,
    );
    expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);
    const pid = (await execa("lxc-info", ["-P", lxcPath(), "-n", name, "-pH"])).stdout.trim();
    // The container's root at work, in its own network namespace only (never the test's).
    const [own, theirs] = await Promise.all([readlink("/proc/self/ns/net"), readlink(`/proc/${pid}/ns/net`)]);
    expect(theirs).not.toBe(own);
    const script = [
      // Two names of bytes that are not UTF-8 (both read as U+FFFD), one with a quote and a backslash, then 40 more.
      `ip link add name "$(printf '\\377')" type bridge`,
      `ip link add name "$(printf '\\376')" type bridge`,
      `ip link add name 'q"z\\' type bridge`,
      "for i in $(seq 1 40); do ip link add name n$i type bridge; done",
    ].join(" && ");
    await execa("nsenter", ["-t", pid, "-n", "sh", "-c", script]);
    const series = (text: string) =>
      text
        .split("\n")
        .filter((line) =>
          line.startsWith(`atelier_container_network_receive_bytes_total{container="${name}",`),
        )
        .map((line) => line.slice(0, line.lastIndexOf(" ")));
    // Once the sampler has seen them (its network view is re-read with each tick).
    await expect
      .poll(
        async () =>
          series((await scrape()).text).some((line) => /interface="(n\d+|\(other interfaces\))"/.test(line)),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
    const { text } = await scrape();
    const found = series(text);
    expect(found.length).toBeLessThanOrEqual(17);
    expect(new Set(found).size).toBe(found.length);
    expect(found.filter((line) => line.includes("\uFFFD"))).toHaveLength(1);
    expect(found).toContain(
      `atelier_container_network_receive_bytes_total{container="${name}",interface="q\\"z\\\\"}`,
    );
    const check = await execa("promtool", ["check", "metrics"], { input: text, reject: false, all: true });
    expect(check.exitCode, check.all).toBe(0);
    await callProcedure(server, "containers.stop", { name, force: true });
  });
});

describe("the host's history", () => {
  it("answers the last hour at 1 s with the host's CPU, memory and load", async () => {
    type THostHistory = {
      resolution: number;
      t: number[];
      series: Record<"cpu" | "memory" | "memoryTotal" | "load1", { avg: (number | null)[] }>;
    };
    const read = async () =>
      (await callProcedure(server, "metrics.hostHistory", { range: "1h" }, { kind: "query", as: "viewer" }))
        .data as THostHistory;
    await expect.poll(async () => (await read()).t.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const history = await read();
    expect(history.resolution).toBe(1);
    expect(history.series.cpu.avg.at(-1)).toBeGreaterThanOrEqual(0);
    expect(history.series.memory.avg.at(-1)).toBeGreaterThan(0);
    expect(history.series.memoryTotal.avg.at(-1)).toBeGreaterThan(history.series.memory.avg.at(-1) ?? 0);
    const bad = await callProcedure(
      server,
      "metrics.hostHistory",
      { range: "1h", from: new Date(2026, 1, 2), to: new Date(2026, 1, 1) },
      { kind: "query", as: "viewer" },
    );
    expect(bad.status).toBe(400);
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { layoutFromMounts } from "./layout";
import {
  countCpuList,
  parseBlkioV1,
  parseCgroupMounts,
  parseIoStatV2,
  parseKeyValues,
  parseLimit,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parseNumber,
  parsePressure,
  parseProcStat,
} from "./parse";

/** Parsers over files captured from real containers (see __fixtures__/README.md). */
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");

describe("cgroup v1 files (captured from a busybox container running a CPU burner)", () => {
  it("reads CPU time, memory, limits, OOM kills, pids and IO", () => {
    expect(parseNumber(fixture("v1/cpuacct.usage"))).toBe(2002584552);
    expect(parseNumber(fixture("v1/memory.usage_in_bytes"))).toBe(1167360);
    const stat = parseKeyValues(fixture("v1/memory.stat"));
    expect(stat.get("total_rss")).toBe(299008);
    expect(stat.get("total_cache")).toBe(16384);
    expect(stat.get("total_swap")).toBe(0);
    expect(parseLimit(fixture("v1/memory.limit_in_bytes"))).toBe(64 * 1024 * 1024);
    // An unlimited v1 limit is PAGE_COUNTER_MAX pages in bytes.
    expect(parseLimit(`${stat.get("hierarchical_memsw_limit")}`)).toBeNull();
    expect(parseKeyValues(fixture("v1/memory.oom_control")).get("oom_kill")).toBe(0);
    expect(parseKeyValues(fixture("v1/memory.oom_control.after-oom")).get("oom_kill")).toBe(1);
    expect(parseNumber(fixture("v1/pids.current"))).toBe(5);
    expect(parseLimit(fixture("v1/pids.max"))).toBeNull();
    expect(countCpuList(fixture("v1/cpuset.effective_cpus"))).toBe(2);
    expect(parseBlkioV1(fixture("v1/blkio.throttle.io_service_bytes_recursive"))).toEqual({
      read: 0,
      write: 0,
    });
  });

  it("sums blkio per device and ignores the Total line", () => {
    const text = "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 100\n8:16 Read 1000\n8:16 Write 0\nTotal 13288\n";
    expect(parseBlkioV1(text)).toEqual({ read: 5096, write: 8192 });
  });
});

describe("cgroup v2 files", () => {
  it("reads cpu.stat and PSI pressure (captured from the unified hierarchy)", () => {
    expect(parseKeyValues(fixture("v2/cpu.stat")).get("usage_usec")).toBe(2010762);
    expect(parsePressure(fixture("v2/cpu.pressure"))).toBe(0);
    expect(
      parsePressure(
        "some avg10=12.50 avg60=3.00 avg300=1.00 total=42\nfull avg10=1.00 avg60=0 avg300=0 total=1",
      ),
    ).toBe(12.5);
    expect(parsePressure("")).toBeNull();
  });

  it("reads memory, OOM kills, pids and IO in the kernel's v2 format", () => {
    expect(parseNumber(fixture("v2/memory.current"))).toBe(157286400);
    const stat = parseKeyValues(fixture("v2/memory.stat"));
    expect(stat.get("anon")).toBe(98304000);
    expect(stat.get("file")).toBe(52428800);
    expect(parseLimit(fixture("v2/memory.max"))).toBe(268435456);
    expect(parseLimit(fixture("v2/memory.swap.max"))).toBeNull();
    expect(parseKeyValues(fixture("v2/memory.events")).get("oom_kill")).toBe(2);
    expect(parseNumber(fixture("v2/pids.current"))).toBe(12);
    expect(parseLimit(fixture("v2/pids.max"))).toBe(512);
    expect(countCpuList(fixture("v2/cpuset.cpus.effective"))).toBe(4);
    expect(parseIoStatV2(fixture("v2/io.stat"))).toEqual({
      read: 1459200 + 2048000,
      write: 314773504 + 1024,
    });
  });
});

describe("other kernel files", () => {
  it("reads the container's own interfaces, without loopback", () => {
    expect(parseNetDev(fixture("net-dev.txt"))).toEqual([{ name: "eth0", rx: 1080, tx: 864 }]);
  });

  it("counts CPU lists", () => {
    expect(countCpuList("0-3,8,10-11")).toBe(7);
    expect(countCpuList("0")).toBe(1);
    expect(countCpuList("")).toBeNull();
    expect(countCpuList("3-1")).toBeNull();
  });

  it("reads /proc/stat, /proc/meminfo and /proc/loadavg", () => {
    expect(parseProcStat("cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 1 2 3 4\n")).toEqual({
      busy: 161,
      total: 981,
      modes: { user: 100, nice: 5, system: 50, idle: 800, iowait: 20, irq: 1, softirq: 2, steal: 3 },
    });
    expect(
      parseMeminfo(
        "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    400 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n",
      ),
    ).toEqual({
      total: 1024000,
      available: 409600,
      used: 614400,
      swapTotal: 0,
      swapFree: 0,
    });
    expect(parseLoadavg("0.52 0.58 0.59 2/345 12345\n")).toEqual([0.52, 0.58, 0.59]);
  });
});

describe("cgroup layout from /proc/self/mountinfo", () => {
  it("finds one hierarchy per controller on a hybrid host, the last mount on a point winning", () => {
    const mounts = parseCgroupMounts(fixture("mountinfo-hybrid.txt"));
    expect(mounts.find((mount) => mount.controllers.includes("memory"))).toMatchObject({
      mountPoint: "/sys/fs/cgroup/memory",
      version: 1,
    });
    expect(mounts.filter((mount) => mount.mountPoint === "/sys/fs/cgroup/memory")).toHaveLength(1);
    const layout = layoutFromMounts(mounts, () => ["hugetlb"]);
    expect(layout.version).toBe(1);
    expect(layout.dirs("web")).toEqual({
      cpu: "/sys/fs/cgroup/cpuacct/lxc.payload.web",
      memory: "/sys/fs/cgroup/memory/lxc.payload.web",
      pids: "/sys/fs/cgroup/pids/lxc.payload.web",
      io: "/sys/fs/cgroup/blkio/lxc.payload.web",
      cpuset: "/sys/fs/cgroup/cpuset/lxc.payload.web",
      pressure: "/sys/fs/cgroup/unified/lxc.payload.web",
    });
  });

  it("uses the unified hierarchy for everything on a pure cgroup v2 host", () => {
    const mounts = parseCgroupMounts(fixture("mountinfo-unified.txt"));
    const layout = layoutFromMounts(mounts, () => fixture("v2/cgroup.controllers.root").trim().split(" "));
    expect(layout.version).toBe(2);
    expect(layout.dirs("web").memory).toBe("/sys/fs/cgroup/lxc.payload.web");
    expect(layout.dirs("web").pressure).toBe("/sys/fs/cgroup/lxc.payload.web");
  });

  it("finds co-mounted controllers (cpu,cpuacct)", () => {
    const line = "30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct";
    const layout = layoutFromMounts(parseCgroupMounts(line), () => []);
    expect(layout.dirs("a").cpu).toBe("/sys/fs/cgroup/cpu,cpuacct/lxc.payload.a");
    expect(layout.dirs("a").memory).toBeNull();
  });
});

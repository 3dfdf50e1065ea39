import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDb } from "@/server/db";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * The Host page's readiness report against this machine (host.readiness runs the real lxc-checkconfig in the
 * helper) and its one safe fix, root's lines in /etc/subuid and /etc/subgid, made in a directory standing for the
 * host (ATELIER_HOST_ROOT): the helper gives root the pool there when it starts; the test takes the lines away.
 */
const server = useServer({
  hostDir: true,
  env: ({ hostDir }) => ({ ATELIER_HOST_ROOT: hostDir }),
  beforeStart: async ({ hostDir }) => {
    await mkdir(path.join(hostDir, "etc"), { recursive: true });
  },
});

type TCheck = {
  id: string;
  group: string;
  status: string;
  key: string;
  seen: string;
  params: Record<string, string>;
  safeFix: { id: string; changes: string[] } | null;
  fix: { kind: string; text: string } | null;
};
type TReadiness = { kernel: string; lxcVersion: string | null; cgroup: { layout: string }; checks: TCheck[] };

const readiness = async (as: "viewer" | "operator" | "admin" = "viewer") => {
  const response = await callProcedure(server, "host.readiness", undefined, { kind: "query", as });
  expect(response.status, JSON.stringify(response.error)).toBe(200);
  return response.data as TReadiness;
};
const subids = async () => (await readiness()).checks.find((check) => check.id === "subids");

/** lxc-checkconfig runs the helper has going now (its descendants only: other servers may run theirs). */
const checkconfigsOf = async (helper: number) => {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const match = /^\d+ \((.*)\) \S+ (\d+)/s.exec(stat);
    if (!match) continue;
    names.set(Number(entry), match[1] ?? "");
    parents.set(Number(entry), Number(match[2]));
  }
  const descends = (pid: number) => {
    for (let at = parents.get(pid), hops = 0; at !== undefined && hops < 64; at = parents.get(at), hops += 1)
      if (at === helper) return true;
    return false;
  };
  // The script's subshells ($(...)) are forks with its name: only the one its parent is not counts.
  return [...names].filter(
    ([pid, name]) =>
      name === "lxc-checkconfig" && names.get(parents.get(pid) ?? 0) !== "lxc-checkconfig" && descends(pid),
  ).length;
};

describe("host readiness", () => {
  it("runs lxc-checkconfig once for a burst of reports, however many a viewer asks for at once", async () => {
    const helper = await server.helperPid();
    expect(helper).not.toBeNull();
    let most = 0;
    // A burst whose one lxc-checkconfig ended between two looks at /proc (a fast run on a busy machine) proves
    // nothing: bursts are made until one was seen running, at most five.
    for (let burst = 0; burst < 5 && most === 0; burst += 1) {
      let isDone = false;
      const watch = (async () => {
        while (!isDone) {
          most = Math.max(most, await checkconfigsOf(helper ?? 0));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      const answers = await Promise.all(
        Array.from({ length: 24 }, () =>
          callProcedure(server, "host.readiness", undefined, { kind: "query", as: "viewer" }),
        ),
      );
      isDone = true;
      await watch;
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      expect(most).toBeLessThanOrEqual(1);
    }
    expect(most).toBe(1);
  });

  it("reports this host's checks: lxc-checkconfig's lines, cgroups, ids, security, network, storage", async () => {
    const report = await readiness();
    expect(report.lxcVersion).toMatch(/^\d+\.\d+/);
    expect(report.kernel).toMatch(/^\d+\.\d+/);
    expect(["v1", "hybrid", "v2"]).toContain(report.cgroup.layout);
    const byId = new Map(report.checks.map((check) => [check.id, check]));
    // The kernel's options, as lxc-checkconfig printed them (this machine has them all).
    for (const id of [
      "kernel.namespaces",
      "kernel.user-namespace",
      "kernel.veth-pair-device",
      "kernel.bridges",
    ])
      expect(byId.get(id), id).toMatchObject({
        status: "ok",
        seen: expect.stringMatching(/^enabled/) as unknown,
      });
    expect(byId.get("cgroup.layout")?.status).toBe("ok");
    // The helper gave root the pool in the host directory's /etc when it started.
    expect(byId.get("subids")).toMatchObject({ status: "ok", safeFix: null });
    // The test environment's config links containers to its bridge, which exists in the test's namespace.
    expect(byId.get("default-bridge")).toMatchObject({ status: "ok", group: "network" });
    expect(byId.get("lxcpath-space")?.group).toBe("storage");
    // The network managers' checks come in the same list.
    for (const id of [
      "network-manager",
      "udev-persistent-net",
      "systemd-networkd",
      "apparmor",
      "lxc-monitord",
    ])
      expect(byId.has(id), id).toBe(true);
    expect(new Set(report.checks.map((check) => check.id)).size).toBe(report.checks.length);
  });

  it("lists the subids fix with what it changes; a viewer or operator cannot make it, an admin's is audited", async () => {
    const etc = path.join(server.hostDir, "etc");
    await writeFile(path.join(etc, "subuid"), "");
    await writeFile(path.join(etc, "subgid"), "alice:100000:65536\n");
    const before = await subids();
    expect(before).toMatchObject({ status: "problem", fix: { kind: "line", text: "root:1000000:65536000" } });
    expect(before?.safeFix).toEqual({
      id: "subids",
      changes: [
        `append "root:1000000:65536000" to ${path.join(etc, "subuid")}`,
        `append "root:1000000:65536000" to ${path.join(etc, "subgid")}`,
      ],
    });

    for (const as of ["viewer", "operator"] as const) {
      const refused = await callProcedure(server, "host.fix", { id: "subids" }, { as });
      expect(refused.status).toBe(403);
    }
    expect(await readFile(path.join(etc, "subuid"), "utf8")).toBe("");
    // Only the listed fixes exist.
    expect((await callProcedure(server, "host.fix", { id: "anything" }, { as: "admin" })).status).toBe(400);

    const made = await callProcedure(server, "host.fix", { id: "subids" }, { as: "admin" });
    expect(made.status, JSON.stringify(made.error)).toBe(200);
    expect(made.data).toEqual({
      id: "subids",
      changed: [
        `appended "root:1000000:65536000" to ${path.join(etc, "subuid")}`,
        `appended "root:1000000:65536000" to ${path.join(etc, "subgid")}`,
      ],
    });
    expect(await readFile(path.join(etc, "subuid"), "utf8")).toBe("root:1000000:65536000\n");
    // The other lines stay as they were.
    expect(await readFile(path.join(etc, "subgid"), "utf8")).toBe(
      "alice:100000:65536\nroot:1000000:65536000\n",
    );
    expect(await subids()).toMatchObject({ status: "ok", safeFix: null });

    const db = createDb(server.databaseUrl);
    try {
      const entries = await db.auditEntry.findMany({ where: { action: "host.fix" }, orderBy: { id: "asc" } });
      expect(entries.map((entry) => [entry.actor, entry.result])).toEqual([
        ["viewer", "error"],
        ["operator", "error"],
        ["admin", "error"],
        ["admin", "ok"],
      ]);
      expect(entries.at(-1)).toMatchObject({ via: "token", input: '{"id":"subids"}' });
    } finally {
      await db.$disconnect();
    }
  });

  it("refuses the fix when another user's range overlaps the pool, and changes nothing", async () => {
    const etc = path.join(server.hostDir, "etc");
    await writeFile(path.join(etc, "subuid"), "bob:1065536:65536\n");
    const check = await subids();
    expect(check).toMatchObject({ status: "problem", safeFix: null });
    const refused = await callProcedure(server, "host.fix", { id: "subids" }, { as: "admin" });
    expect(refused.status).toBe(412);
    expect(await readFile(path.join(etc, "subuid"), "utf8")).toBe("bob:1065536:65536\n");
    // Whose range it is, is the operators' to read (as on a container's Overview); a viewer is told only that it
    // overlaps.
    const subidsAs = async (as: "viewer" | "operator") =>
      (await readiness(as)).checks.find((entry) => entry.id === "subids");
    expect((await subidsAs("operator"))?.params.conflict).toContain("bob:1065536:65536");
    expect(JSON.stringify(await subidsAs("viewer"))).not.toMatch(/bob|1065536/);
  });
});

import { execa } from "execa";
import { createDb } from "@/server/db";
import { describe, expect, it } from "vitest";
import { lxcPath, lxcState, uniqueName } from "../lxc-oracle";
import { descendantsOf } from "../processes";
import { callProcedure, startServer } from "../server";
import { useServer } from "../use-server";
import { openStream, type TStreamEvent } from "../sse";

const server = useServer();
const created = server.made;

const stream = (headers: Record<string, string> = {}) =>
  openStream(`${server.url}/api/events`, { authorization: `Bearer ${server.tokens.viewer}`, ...headers });
const lxc = (tool: string, ...args: string[]) => execa(tool, ["-P", lxcPath(), ...args]);
const isState = (name: string, state: string) => (event: TStreamEvent) =>
  event.data.type === "state" && event.data.container === name && event.data.state === state;
const listed = async (name: string) =>
  (
    (await callProcedure(server, "containers.list", undefined, { kind: "query", as: "viewer" })).data as {
      name: string;
      state: string;
    }[]
  ).find((row) => row.name === name);

const make = async () => {
  const name = uniqueName("live");
  created.push(name);
  expect((await callProcedure(server, "containers.create", { name, template: "busybox" })).status).toBe(200);
  return name;
};

describe("the monitor's lifetime", () => {
  it("starts lxc-monitor with the server and leaves none behind after SIGTERM", async () => {
    const own = await startServer();
    // Run by the server's helper: below the server in the process tree.
    const monitors = async () =>
      (await descendantsOf(own.pid ?? -1))
        .filter((entry) => / lxc-monitor -P /.test(entry))
        .map((entry) => entry.split(" ")[0] ?? "");
    await expect.poll(monitors).toHaveLength(1);
    const [monitorPid] = await monitors();
    await own.stop();
    expect((await execa("kill", ["-0", String(monitorPid)], { reject: false })).exitCode).not.toBe(0);
  });
});

describe("live state", () => {
  it("refuses the event stream without credentials", async () => {
    const anonymous = await openStream(`${server.url}/api/events`, {});
    expect(anonymous.status).toBe(401);
    anonymous.close();
  });

  it("pushes a change made from a shell, outside the panel, and the list agrees at once", async () => {
    const name = await make();
    const events = await stream();
    await lxc("lxc-start", "-n", name);
    await events.waitFor(isState(name, "RUNNING"));
    expect((await listed(name))?.state).toBe("RUNNING");
    // The PID and addresses follow with one re-read of that container.
    await expect
      .poll(
        async () =>
          (await callProcedure(server, "containers.get", { name }, { kind: "query", as: "viewer" })).data,
      )
      .toMatchObject({
        name,
        state: "RUNNING",
        pid: expect.any(Number) as unknown,
        memoryUseBytes: expect.any(Number) as unknown,
      });
    await lxc("lxc-freeze", "-n", name);
    await events.waitFor(isState(name, "FROZEN"));
    expect((await listed(name))?.state).toBe("FROZEN");
    // The panel's own operations are events too, with their actor.
    await callProcedure(server, "containers.unfreeze", { name }, { as: "operator" });
    const operation = await events.waitFor(
      (event) => event.data.type === "operation" && event.data.container === name,
    );
    expect(operation.data).toMatchObject({
      actor: "operator",
      data: { action: "containers.unfreeze", result: "ok" },
    });
    events.close();
  });

  it("replays exactly the missed events to a client that resumes with Last-Event-ID", async () => {
    const name = await make();
    const first = await stream();
    await lxc("lxc-start", "-n", name);
    const seen = await first.waitFor(isState(name, "RUNNING"));
    first.close();

    await lxc("lxc-freeze", "-n", name);
    await lxc("lxc-unfreeze", "-n", name);
    await lxc("lxc-stop", "-n", name, "-k");
    const witness = await stream({ "last-event-id": String(seen.id) });
    await witness.waitFor(isState(name, "STOPPED"));

    const resumed = await stream({ "last-event-id": String(seen.id) });
    const stopped = await resumed.waitFor(isState(name, "STOPPED"));
    const ids = (events: TStreamEvent[]) =>
      events.filter((event) => event.event === "atelier").map((event) => event.id);
    expect(ids(resumed.events)[0]).toBe((seen.id ?? 0) + 1);
    expect(ids(resumed.events)).toEqual(ids(witness.events).slice(0, ids(resumed.events).length));
    expect(new Set(ids(resumed.events)).size).toBe(ids(resumed.events).length);
    // Exactly what the event log holds between the two ids, id for id and field for field.
    const db = createDb(server.databaseUrl);
    try {
      const rows = await db.event.findMany({
        where: { id: { gt: seen.id ?? 0, lte: stopped.id ?? 0 } },
        orderBy: { id: "asc" },
      });
      const replayed = resumed.events.filter(
        (event) => event.event === "atelier" && (event.id ?? 0) <= (stopped.id ?? 0),
      );
      expect(replayed.map((event) => event.data)).toEqual(
        rows.map((row) => ({
          ...row,
          at: row.at.toISOString(),
          data: row.data ? (JSON.parse(row.data) as unknown) : null,
        })),
      );
      expect(rows.map((row) => row.state).filter((state) => state !== null)).toEqual(
        expect.arrayContaining(["FROZEN", "THAWED", "STOPPED"]) as unknown,
      );
      witness.close();
      resumed.close();

      // A client further behind than the log keeps (its events pruned by the retention) is told to start over.
      await db.event.deleteMany({ where: { id: { lte: (seen.id ?? 0) + 1 } } });
      const pruned = await stream({ "last-event-id": String(seen.id) });
      const reset = await pruned.waitFor((event) => event.event === "reset");
      expect(
        pruned.events.filter((event) => event.event === "atelier" && (event.id ?? 0) <= (reset.id ?? 0)),
      ).toEqual([]);
      pruned.close();
    } finally {
      await db.$disconnect();
    }

    // And one from the future (another server's ids) likewise.
    const tooNew = await stream({ "last-event-id": "999999999" });
    await tooNew.waitFor((event) => event.event === "reset");
    tooNew.close();
  });

  it("survives the death of lxc-monitor and lxc-monitord without losing the final state", async () => {
    const name = await make();
    await callProcedure(server, "containers.start", { name });
    const events = await stream();
    await execa("pkill", ["-f", `lxc-monitord ${lxcPath()}`]);
    // Changed while no monitor was listening.
    await lxc("lxc-stop", "-n", name, "-k");
    await events.waitFor((event) => event.data.type === "resync");
    expect(events.events.some((event) => event.data.type === "monitor")).toBe(true);
    expect((await listed(name))?.state).toBe("STOPPED");
    expect(await lxcState(name)).toBe("STOPPED");
    // And it is live again.
    await lxc("lxc-start", "-n", name);
    await events.waitFor(isState(name, "RUNNING"));
    expect((await listed(name))?.state).toBe("RUNNING");
    events.close();
  });
});

import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { eventSentence, type TEventLike } from "./event-sentence";

const root = path.resolve(import.meta.dirname, "../..");
const source = (file: string) => readFileSync(path.join(root, file), "utf8");
const serverFiles = (dir: string): string[] =>
  readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? serverFiles(path.join(dir, entry.name))
      : entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")
        ? [path.join(dir, entry.name)]
        : [],
  );
const literals = (text: string) => [...text.matchAll(/"([^"]+)"/g)].map((match) => match[1] ?? "");

const JOB_ID = "0b7e1c1e-6a52-4f4e-9d0f-3d7a1f0e2c11";
const event = (overrides: Partial<TEventLike>): TEventLike => ({
  type: "state",
  container: "web1",
  state: null,
  actor: "alice",
  data: null,
  ...overrides,
});
const job = (kind: string, data: Record<string, unknown>, container = "web1") =>
  eventSentence(event({ type: "job", container, data: { jobId: JOB_ID, kind, ...data } }));

/**
 * One example of every event the server publishes. The lists below are read from the server's source, so that a new
 * event type, container operation, job kind or network action fails here until it has its sentence.
 */
const EXAMPLES: Record<string, { event: TEventLike; text: string; links: string[] }[]> = {
  state: [
    { event: event({ state: "RUNNING" }), text: "web1 is running", links: ["/containers/web1"] },
    { event: event({ state: "STOPPED" }), text: "web1 stopped", links: ["/containers/web1"] },
    { event: event({ state: "FROZEN" }), text: "web1 is frozen", links: ["/containers/web1"] },
  ],
  exit: [
    {
      event: event({ type: "exit", data: { status: 256 } }),
      text: "The init of web1 exited with status 256",
      links: ["/containers/web1"],
    },
  ],
  operation: [
    {
      event: event({ type: "operation", data: { action: "containers.start", result: "ok" } }),
      text: "alice started web1",
      links: ["/containers/web1"],
    },
    {
      event: event({
        type: "operation",
        data: { action: "containers.start", result: "error", error: "lxc-start failed" },
      }),
      text: "alice could not start web1: lxc-start failed",
      links: ["/containers/web1"],
    },
    {
      event: event({ type: "operation", data: { action: "containers.destroy", result: "ok" } }),
      text: "alice destroyed web1",
      links: [],
    },
  ],
  oom: [
    {
      event: event({ type: "oom", data: { kills: 1, message: "a process was killed: out of memory" } }),
      text: "Out of memory in web1: the kernel killed a process",
      links: ["/containers/web1"],
    },
    {
      event: event({ type: "oom", data: { kills: 3 } }),
      text: "Out of memory in web1: the kernel killed 3 processes",
      links: ["/containers/web1"],
    },
  ],
  resync: [
    {
      event: event({ type: "resync", container: null, actor: null, data: { message: "x" } }),
      text: "lxc-monitor restarted; the state of every container was read again",
      links: [],
    },
  ],
  monitor: [
    {
      event: event({
        type: "monitor",
        container: null,
        actor: null,
        data: { message: "lxc-monitor exited (code 1); restarting in 1000 ms" },
      }),
      text: "The state monitor stopped: lxc-monitor exited (code 1); restarting in 1000 ms",
      links: [],
    },
  ],
  network: [
    {
      event: event({ type: "network", container: null, data: { action: "apply", state: "applied" } }),
      text: "alice changed the host's network",
      links: ["/network"],
    },
    {
      event: event({ type: "network", container: null, data: { action: "nat.start", state: "running" } }),
      text: "alice started the NAT network",
      links: ["/network"],
    },
  ],
  job: [
    {
      event: event({
        type: "job",
        container: "db2",
        data: { jobId: JOB_ID, kind: "clone", source: "db1", state: "succeeded", seconds: 4 },
      }),
      text: "Cloning db1 as db2 finished in 4 s",
      links: ["/containers/db2", `/jobs?id=${JOB_ID}`],
    },
  ],
};

describe("eventSentence", () => {
  it("has an example of every event type the server publishes", () => {
    const union = /export type TEventType = ([^;]+);/.exec(source("server/events/bus.ts"))?.[1] ?? "";
    const types = literals(union);
    expect(types.length).toBeGreaterThan(0);
    expect(Object.keys(EXAMPLES).sort()).toEqual([...types].sort());
  });

  it.each(
    Object.entries(EXAMPLES).flatMap(([type, list]) => list.map((example) => [type, example] as const)),
  )("says a %s event in words, with its links", (_type, example) => {
    const sentence = eventSentence(example.event);
    expect(sentence.text).toBe(example.text);
    expect(sentence.links.map((link) => link.href)).toEqual(example.links);
  });

  it("has a sentence, ok and failed, for every container mutation the panel publishes as an operation", () => {
    const routes = source("server/trpc/routers/containers/router.ts");
    const names = [...routes.matchAll(/^\s+(\w+): \w+Route,$/gm)].map((match) => match[1] ?? "");
    const mutations = names.filter((name) => name !== "list" && name !== "get");
    expect(mutations).toContain("start");
    for (const action of mutations) {
      for (const result of ["ok", "error"]) {
        const sentence = eventSentence(
          event({ type: "operation", data: { action: `containers.${action}`, result, error: "boom" } }),
        );
        expect(sentence.id, `containers.${action} ${result}`).toBe(`operation.${action}.${result}`);
        expect(sentence.text).toContain("alice");
        expect(sentence.text).toContain("web1");
        if (result === "error") expect(sentence.text).toContain("boom");
      }
    }
  });

  it("has a subject, and every state's sentence, for every job kind the server starts", () => {
    const kinds = new Set(
      serverFiles("server")
        .map(source)
        .filter((text) => text.includes("startLockedJob(") || text.includes("jobs.start("))
        .flatMap((text) => text.split("\n").filter((line) => /^\s+kind: /.test(line)))
        .flatMap(literals),
    );
    expect([...kinds].sort()).toEqual(["clone", "create", "restore", "restore-new", "snapshot"]);
    for (const kind of kinds) {
      const data = { source: "db1", snapshot: "snap0" };
      expect(job(kind, { ...data, state: "running", progress: 0 }).id).toBe("job.started");
      expect(job(kind, { ...data, state: "running", progress: 40, phase: "copying" }).id).toBe(
        "job.progress",
      );
      for (const state of ["succeeded", "failed", "cancelled", "interrupted"]) {
        const sentence = job(kind, { ...data, state, error: "no space left" });
        expect(sentence.id).toBe(`job.${state}`);
        expect(sentence.params.subjectId).toBe(`job.subject.${kind}`);
        expect(sentence.text).toMatch(/^[A-Z]/);
        expect(sentence.text).toContain("web1");
      }
    }
  });

  it("has a sentence for every action and state of the host network the server publishes", () => {
    const text = serverFiles("server/host-network").map(source).join("\n");
    const actions = new Set([...text.matchAll(/action: "([a-z.-]+)"/g)].map((match) => match[1] ?? ""));
    expect([...actions].sort()).toEqual([
      "apply",
      "confirm",
      "nat.configure",
      "nat.start",
      "nat.stop",
      "rollback",
    ]);
    const pairs = [
      ["apply", "applied"],
      ["apply", "pending"],
      ["apply", "failed"],
      ["confirm", "confirmed"],
      ["rollback", "rolled-back"],
      ["nat.configure", "stopped"],
      ["nat.start", "running"],
      ["nat.stop", "stopped"],
    ];
    for (const [action, state] of pairs) {
      const sentence = eventSentence(
        event({
          type: "network",
          container: null,
          data: { action, state, message: "Rolled back by alice." },
        }),
      );
      expect(sentence.id, `${action} ${state}`).not.toBe("network.other");
      expect(sentence.links).toEqual([{ href: "/network", label: "Network" }]);
    }
  });

  it("reads the job sentences as they happen", () => {
    expect(job("create", { state: "running", progress: 0 }, "web3").text).toBe("alice started creating web3");
    expect(job("create", { state: "running", progress: 40, phase: "downloading" }, "web3").text).toBe(
      "Creating web3: downloading, 40 %",
    );
    expect(job("create", { state: "running", progress: null, phase: "copying" }, "web3").text).toBe(
      "Creating web3: copying",
    );
    expect(job("create", { state: "failed", error: "debootstrap failed" }, "web3").text).toBe(
      "Creating web3 failed: debootstrap failed",
    );
    expect(job("snapshot", { state: "cancelled" }).text).toBe("Snapshotting web1 was cancelled");
    expect(job("restore", { state: "interrupted", snapshot: "snap0" }).text).toBe(
      "Restoring web1 from its snapshot snap0 was interrupted by a restart of Atelier",
    );
    expect(job("restore-new", { state: "succeeded", source: "db1", snapshot: "snap0" }, "db3").text).toBe(
      "Making db3 from db1's snapshot snap0 finished",
    );
  });

  it("names who did it beside the sentence only when the sentence does not", () => {
    expect(
      eventSentence(event({ type: "operation", data: { action: "containers.start", result: "ok" } })).by,
    ).toBe(null);
    expect(job("create", { state: "succeeded" }).by).toBe("alice");
    expect(eventSentence(event({ state: "RUNNING", actor: null })).by).toBe(null);
  });

  it("reads the events list's JSON text as well as the stream's objects", () => {
    const sentence = eventSentence(
      event({ type: "operation", data: JSON.stringify({ action: "containers.stop", result: "ok" }) }),
    );
    expect(sentence.text).toBe("alice stopped web1");
    expect(eventSentence(event({ type: "exit", data: "{not json" })).text).toBe(
      "The init of web1 exited with status ?",
    );
  });

  it("is never blank, for an unknown type or an operation, job or state it does not know", () => {
    expect(eventSentence(event({ type: "teleport", container: null, actor: null })).text).toBe(
      "An event of type teleport about the host",
    );
    expect(
      eventSentence(event({ type: "operation", data: { action: "containers.teleport", result: "ok" } })).text,
    ).toBe("alice ran teleport on web1");
    expect(job("teleport", { state: "succeeded", seconds: 2 }).text).toBe(
      "The teleport job on web1 finished in 2 s",
    );
    expect(eventSentence(event({ state: "WEIRD" })).text).toBe("web1 changed state to WEIRD");
    expect(eventSentence(event({ type: "network", data: { action: "teleport", state: "done" } })).text).toBe(
      "The host's network: teleport, done",
    );
  });
});

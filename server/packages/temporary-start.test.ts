import { describe, expect, it } from "vitest";
import type { TPrincipal } from "../auth/principal.types";
import type { TJobContext } from "../jobs/jobs";
import { createPackages } from "./service";

/**
 * A temporary start stops again only the instance it started: not a container someone else started between the
 * request and the job's start, nor one someone stopped and started again while the packages were being changed.
 */
type TInfo = { state: string; pid: number | null; ips: string[] };

const harness = (script: { stateAtRequest: string; infos: TInfo[] }) => {
  const calls: string[] = [];
  let at = 0;
  const info = async () => {
    const value = script.infos[Math.min(at, script.infos.length - 1)] as TInfo;
    at += 1;
    return value;
  };
  let work: Promise<unknown> = Promise.resolve();
  const context: TJobContext = {
    id: "job",
    signal: new AbortController().signal,
    setProgress: () => undefined,
    log: (line) => calls.push(`log ${line}`),
    stream: (async () => {
      calls.push("apply");
      return { exitCode: 0, manager: "dpkg" };
    }) as unknown as TJobContext["stream"],
  };
  const packages = createPackages({
    helper: { lxc: { info }, packages: { apply: async () => ({}) } } as never,
    containers: {
      get: async () => ({ state: script.stateAtRequest, unprivileged: true }),
      start: async () => {
        calls.push("start");
      },
      stop: async () => {
        calls.push("stop");
      },
    } as never,
    jobs: {
      start: async (spec: { work: (context: TJobContext) => Promise<unknown> }) => {
        work = spec.work(context);
        return { jobId: "job" };
      },
    } as never,
  });
  const principal = { username: "op", role: "operator" } as TPrincipal;
  return {
    calls,
    run: async () => {
      await packages.change(
        { name: "c1", action: "install", packages: ["hello"], temporaryStart: true },
        principal,
      );
      await work.catch(() => undefined);
      return calls.filter((call) => !call.startsWith("log "));
    },
  };
};

describe("temporary start", () => {
  it("starts and stops again a container that stays its own", async () => {
    const { run } = harness({
      stateAtRequest: "STOPPED",
      infos: [
        { state: "STOPPED", pid: null, ips: [] },
        { state: "RUNNING", pid: 100, ips: ["10.0.0.2"] },
      ],
    });
    expect(await run()).toEqual(["start", "apply", "stop"]);
  });

  it("does not stop a container someone else started before the job did", async () => {
    const { run } = harness({
      stateAtRequest: "STOPPED",
      // Already running when the job comes to start it (lxc-start on a running container exits 0).
      infos: [{ state: "RUNNING", pid: 100, ips: ["10.0.0.2"] }],
    });
    expect(await run()).not.toContain("stop");
  });

  it("does not stop a container stopped and started again by someone else meanwhile", async () => {
    const { run } = harness({
      stateAtRequest: "STOPPED",
      infos: [
        { state: "STOPPED", pid: null, ips: [] },
        { state: "RUNNING", pid: 100, ips: ["10.0.0.2"] },
        // Restarted by someone else during the work: another init.
        { state: "RUNNING", pid: 200, ips: ["10.0.0.2"] },
      ],
    });
    expect(await run()).not.toContain("stop");
  });
});

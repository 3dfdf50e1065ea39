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
  const info = () => {
    const value = script.infos[Math.min(at, script.infos.length - 1)] as TInfo;
    at += 1;
    return Promise.resolve(value);
  };
  let work: Promise<unknown> = Promise.resolve();
  const context: TJobContext = {
    id: "job",
    signal: new AbortController().signal,
    setProgress: () => undefined,
    log: (line) => calls.push(`log ${line}`),
    stream: (() => {
      calls.push("apply");
      return Promise.resolve({ exitCode: 0, manager: "dpkg" });
    }) as unknown as TJobContext["stream"],
  };
  const packages = createPackages({
    helper: { lxc: { info }, packages: { apply: () => Promise.resolve({}) } } as never,
    containers: {
      get: () => Promise.resolve({ state: script.stateAtRequest, unprivileged: true }),
      start: () => {
        calls.push("start");
        return Promise.resolve();
      },
      stop: () => {
        calls.push("stop");
        return Promise.resolve();
      },
    } as never,
    jobs: {
      start: (spec: { work: (context: TJobContext) => Promise<unknown> }) => {
        work = spec.work(context);
        return Promise.resolve({ jobId: "job" });
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

import { printable } from "./output";
import { callProcedure, RemoteError, type TEndpoint } from "./remote";

/** A job of the API (creation, clone, snapshot, restore) as jobs.get answers. */
export type TJob = {
  id: string;
  state: "running" | "succeeded" | "failed" | "cancelled" | "interrupted";
  progress: number | null;
  phase: string | null;
  result: unknown;
  error: string | null;
  log: string[];
};

/**
 * Follows a job until it ends: its phases on stderr as they change; the job when it succeeded, else a RemoteError
 * (exit 1) with its error. Interrupted here (Ctrl-C), the job goes on on the server.
 */
export const waitForJob = async (endpoint: TEndpoint, jobId: string, what: string): Promise<TJob> => {
  let said = "";
  for (;;) {
    const job = await callProcedure<TJob>(endpoint, "jobs.get", { id: jobId, tail: 5 });
    const now = job.phase ? `${what}: ${job.phase}${job.progress === null ? "" : ` (${job.progress}%)`}` : "";
    if (now && now !== said) process.stderr.write(`${printable(now)}\n`);
    said = now;
    if (job.state === "succeeded") return job;
    if (job.state !== "running") {
      const last = job.log.at(-1);
      throw new RemoteError(
        `${what} ${job.state}: ${job.error ?? last ?? "no reason given"} (job ${job.id}: the Jobs page has its log)`,
        "JOB_FAILED",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};

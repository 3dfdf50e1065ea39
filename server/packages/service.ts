import type { TPrincipal } from "../auth/principal.types";
import type { TContainerService } from "../containers/service";
import { AppError, said } from "../errors";
import type { THelper } from "../helper-client";
import { phase } from "../i18n/job-phases";
import type { TJobContext, TJobs } from "../jobs/jobs";
import { isCommandLine, type TPackageAction } from "../schemas/packages";
import { createPackageProgress } from "./progress";

/**
 * Packages inside containers (the Packages tab and the API): reading asks the helper at once; a change (install,
 * remove, upgrade) is a durable job whose log is the package manager's own lines, cancelled by killing its command's
 * process group. The container must run: a stopped one is refused ("start it, or ask for a temporary start"),
 * or, when asked, started for the work and stopped again afterwards, whatever the outcome.
 */
const RUNNING_WAIT_MS = 60_000;
/** How long a temporary start waits for the container to have an address (its network up) before working anyway. */
const NETWORK_WAIT_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type TPackagesChange = {
  name: string;
  action: TPackageAction;
  packages: string[];
  temporaryStart: boolean;
};

export const createPackages = ({
  helper,
  containers,
  jobs,
}: {
  helper: Pick<THelper, "packages" | "lxc">;
  containers: Pick<TContainerService, "get" | "start" | "stop">;
  jobs: Pick<TJobs, "start">;
}) => {
  const ticketOf = (principal: TPrincipal) =>
    principal.role === "admin" && principal.adminTicket ? { ticket: principal.adminTicket } : {};

  /** The installed packages, or, for a container that is not running, its state and nothing else. */
  const list = async (name: string) => {
    const { state } = await containers.get(name);
    if (state !== "RUNNING") return { state, isRunning: false, manager: null, packages: [] };
    const { manager, packages } = await helper.packages.list({ name });
    return { state, isRunning: true, manager, packages };
  };

  const search = async (name: string, query: string) => {
    const { state } = await containers.get(name);
    if (state !== "RUNNING")
      throw new AppError("PRECONDITION_FAILED", said("packagesNeedRunning", { name, state }));
    return helper.packages.search({ name, query });
  };

  /** Waits for RUNNING, then (at most NETWORK_WAIT_MS) for an address: apt needs the network. */
  const waitUntilReady = async (name: string, context: TJobContext) => {
    const deadline = Date.now() + RUNNING_WAIT_MS;
    let info = await helper.lxc.info({ name });
    while (info.state !== "RUNNING" && Date.now() < deadline && !context.signal.aborted) {
      await sleep(500);
      info = await helper.lxc.info({ name });
    }
    if (info.state !== "RUNNING")
      throw new AppError(
        "PRECONDITION_FAILED",
        said("packagesTemporaryStartFailed", { name, state: info.state }),
      );
    const networkDeadline = Date.now() + NETWORK_WAIT_MS;
    while (info.ips.length === 0 && Date.now() < networkDeadline && !context.signal.aborted) {
      await sleep(1000);
      info = await helper.lxc.info({ name });
    }
    context.log(
      info.ips.length > 0
        ? `${name} is running (${info.ips.join(", ")})`
        : `${name} is running, still without an address after ${NETWORK_WAIT_MS / 1000} s: working anyway`,
    );
    return info.pid;
  };

  const change = async (
    { name, action, packages, temporaryStart }: TPackagesChange,
    principal: TPrincipal,
  ) => {
    const container = await containers.get(name);
    const isStopped = container.state === "STOPPED";
    if (container.state !== "RUNNING" && !(isStopped && temporaryStart))
      throw new AppError(
        "PRECONDITION_FAILED",
        said("packagesNeedRunning", { name, state: container.state }),
      );
    // A privileged container's root is the host's: its packages are an admin's (the helper checks the ticket).
    if (!container.unprivileged && principal.role !== "admin")
      throw new AppError("FORBIDDEN", said("packagesPrivilegedAdminsOnly", { name }));
    const progress = createPackageProgress(action);
    const doing =
      action === "install"
        ? "installingPackages"
        : action === "remove"
          ? "removingPackages"
          : "upgradingPackages";
    return jobs.start({
      kind: "packages",
      owner: principal.username,
      target: name,
      about: { action, packages: packages.join(" ").slice(0, 500) },
      work: async (context) => {
        let started = false;
        /** The init of the instance this job started: only that instance is stopped again. */
        let ownInit: number | null = null;
        try {
          // Asked again now: someone may have started it since the request (lxc-start on a running container
          // succeeds), and what someone else started is not this job's to stop.
          if (isStopped && (await helper.lxc.info({ name })).state === "STOPPED") {
            context.setProgress(null, phase("startingForPackages"));
            context.log(`Temporary start: starting ${name} for the work; it is stopped again afterwards`);
            started = true;
            await containers.start(name);
            ownInit = await waitUntilReady(name, context);
          } else if (isStopped) {
            context.log(`${name} was started by someone else meanwhile: it is left running afterwards`);
            await waitUntilReady(name, context);
          }
          context.setProgress(null, phase(progress.steps > 1 ? "updatingPackageLists" : doing));
          const result = await context.stream(
            helper.packages.apply,
            { name, action, packages, ...ticketOf(principal) },
            {
              onLine: (line) => {
                const value = progress.see(line);
                const now =
                  isCommandLine(line) && progress.step() === progress.steps - 1 ? phase(doing) : undefined;
                if (value !== null || now) context.setProgress(value, now);
              },
            },
          );
          if (result.exitCode !== 0)
            throw new AppError(
              "LXC_FAILED",
              said("packagesFailed", {
                name,
                program: result.manager === "dpkg" ? "apt-get" : "apk",
                exitCode: result.exitCode,
              }),
            );
          return { action, packages, manager: result.manager };
        } finally {
          // Stopped and started again by someone else meanwhile (another init): theirs now, left running.
          const now = started && ownInit !== null ? await helper.lxc.info({ name }).catch(() => null) : null;
          if (now && now.state === "RUNNING" && now.pid !== ownInit) {
            started = false;
            context.log(`${name} was restarted by someone else meanwhile: it is left running`);
          }
          if (started) {
            context.setProgress(null, phase("stoppingAfterPackages"));
            context.log(`Temporary start: stopping ${name} again`);
            await containers.stop(name, {}).catch((error: unknown) => {
              context.log(`${name} could not be stopped again: ${(error as Error).message}`);
            });
          }
        }
      },
    });
  };

  return { list, search, change };
};

export type TPackages = ReturnType<typeof createPackages>;

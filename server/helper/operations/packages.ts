import { AppError, said } from "../../errors";
import { createLxcDriver } from "../../lxc";
import type { TLogger } from "../../log";
import {
  MAX_SEARCH_RESULTS,
  commandLine,
  statusLine,
  type TPackageAction,
  type TPackageManager,
} from "../../schemas/packages";
import { requireTicket } from "../admins";
import { runCommand, wireLine } from "../commands";
import type { THandlerContext, THandlers } from "../contract/define";
import type { TJobItem } from "../contract/jobs";
import type { packagesContract } from "../contract/packages";
import { initReachesHostRoot } from "../guest-users";
import {
  DPKG_LIST_FORMAT,
  markInstalled,
  parseApkList,
  parseApkSearch,
  parseAptSearch,
  parseAptShowVersions,
  parseAptStatus,
  parseDpkgList,
  rankResults,
} from "../package-output";
import { isRunError, run } from "../run/runner";
import { GUEST_PATH } from "./console";

/**
 * Packages inside running containers (the contract: ../contract/packages.ts). Every program is the guest's own,
 * run inside the container by `lxc-attach --clear-env` with a fixed argument array: the only values from the call
 * are package names (checked by the contract's pattern: never an option) after `--`, and a search's words (letters,
 * digits and + . _ -). Nothing is read from the rootfs by the host, and nothing of the container runs on the host.
 */
const READ_TIMEOUT_MS = 30_000;
const CHANGE_TIMEOUT_MS = 30 * 60_000;

/** apt-get, made to run unattended: no questions, no pty, its status lines on stdout, config files kept. */
const APT_OPTIONS = [
  "-y",
  "-q",
  "-o",
  "Dpkg::Progress-Fancy=0",
  "-o",
  "Dpkg::Use-Pty=0",
  "-o",
  "APT::Status-Fd=1",
  "-o",
  "APT::Color=0",
  "-o",
  "DPkg::Lock::Timeout=60",
  "-o",
  "Dpkg::Options::=--force-confdef",
  "-o",
  "Dpkg::Options::=--force-confold",
];

/** The commands of a change, in order, as argument arrays run inside the container. */
export const changeCommands = (
  manager: TPackageManager,
  action: TPackageAction,
  packages: readonly string[],
): string[][] => {
  if (action !== "upgrade" && packages.length === 0) throw new Error(`${action} needs at least one package`);
  if (manager === "dpkg") {
    const update = ["apt-get", "update", ...APT_OPTIONS];
    if (action === "install") return [update, ["apt-get", "install", ...APT_OPTIONS, "--", ...packages]];
    if (action === "remove") return [["apt-get", "remove", ...APT_OPTIONS, "--", ...packages]];
    return packages.length === 0
      ? [update, ["apt-get", "upgrade", ...APT_OPTIONS]]
      : [update, ["apt-get", "install", "--only-upgrade", ...APT_OPTIONS, "--", ...packages]];
  }
  const apk = ["apk", "--no-progress"];
  if (action === "install")
    return [
      [...apk, "update"],
      [...apk, "add", "--", ...packages],
    ];
  if (action === "remove") return [[...apk, "del", "--", ...packages]];
  return [
    [...apk, "update"],
    [...apk, "upgrade", ...(packages.length > 0 ? ["--", ...packages] : [])],
  ];
};

export const packagesOperations = ({
  lxcPath,
  containerConfig,
  stateDir,
  log,
}: {
  lxcPath: string;
  containerConfig?: string;
  stateDir: string;
  log?: TLogger;
}) => {
  const lxc = createLxcDriver({ lxcPath, ...(containerConfig ? { containerConfig } : {}) });

  /** lxc-attach's arguments up to `--`: the container, a clean environment, root inside it. */
  const attach = (name: string) => [
    "-n",
    name,
    "-P",
    lxcPath,
    "--clear-env",
    ...Object.entries({
      PATH: GUEST_PATH,
      HOME: "/root",
      LANG: "C.UTF-8",
      DEBIAN_FRONTEND: "noninteractive",
      APT_LISTCHANGES_FRONTEND: "none",
    }).flatMap(([key, value]) => ["-v", `${key}=${value}`]),
    "--",
  ];

  /** The container running (else PRECONDITION_FAILED, which the pages word as "start it, or a temporary start"). */
  const running = async (name: string) => {
    const info = await lxc.info(name);
    if (info.state !== "RUNNING" || info.pid === null)
      throw new AppError("PRECONDITION_FAILED", said("packagesNeedRunning", { name, state: info.state }));
    return info.pid;
  };

  /** Whether the running container's init maps host id 0 (the kernel's answer; unreadable counts as privileged). */
  const isPrivileged = initReachesHostRoot;

  /** A program inside the container to its end: its exit code and output (a failure to run is PRECONDITION_FAILED). */
  const inside = async (name: string, argv: string[], signal?: AbortSignal) => {
    try {
      return await run("lxc-attach", [...attach(name), ...argv], {
        timeoutMs: READ_TIMEOUT_MS,
        // A guest's output, bounded below the runner's default: many calls at once must not fill the helper.
        maxOutputBytes: 4 * 1024 * 1024,
        ...(signal ? { signal } : {}),
        ...(log ? { log } : {}),
      });
    } catch (error) {
      if (isRunError(error) && error.reason !== "aborted")
        throw new AppError(
          "PRECONDITION_FAILED",
          said("packagesReadFailed", { name, program: argv[0] ?? "", reason: error.message }),
        );
      throw error;
    }
  };

  const readFailed = (name: string, program: string, result: { exitCode: number; stderr: string }) =>
    new AppError(
      "PRECONDITION_FAILED",
      said("packagesReadFailed", {
        name,
        program,
        reason: result.stderr.trim().slice(-500) || `exit code ${result.exitCode}`,
      }),
    );

  /** dpkg-query, then apk, asked for their version inside the container: the first that answers. */
  const detect = async (name: string, signal?: AbortSignal): Promise<TPackageManager | null> => {
    if ((await inside(name, ["dpkg-query", "--version"], signal)).exitCode === 0) return "dpkg";
    if ((await inside(name, ["apk", "--version"], signal)).exitCode === 0) return "apk";
    return null;
  };

  const installed = async (name: string, manager: TPackageManager, signal?: AbortSignal) => {
    if (manager === "dpkg") {
      const result = await inside(name, ["dpkg-query", "-W", "-f", DPKG_LIST_FORMAT], signal);
      if (result.exitCode !== 0) throw readFailed(name, "dpkg-query", result);
      return parseDpkgList(result.stdout);
    }
    const list = await inside(name, ["apk", "list", "--installed"], signal);
    if (list.exitCode !== 0) throw readFailed(name, "apk", list);
    const info = await inside(name, ["apk", "info", "-vv"], signal);
    return parseApkList(list.stdout, info.exitCode === 0 ? info.stdout : "");
  };

  const search = async (name: string, manager: TPackageManager, query: string, signal?: AbortSignal) => {
    const present = await installed(name, manager, signal);
    if (manager === "apk") {
      const result = await inside(name, ["apk", "search", "-v", "--", query], signal);
      if (result.exitCode !== 0) throw readFailed(name, "apk", result);
      const found = parseApkSearch(result.stdout);
      return {
        results: markInstalled(rankResults(found, query, MAX_SEARCH_RESULTS), present),
        total: found.length,
      };
    }
    const result = await inside(name, ["apt-cache", "search", "--", query], signal);
    if (result.exitCode !== 0) throw readFailed(name, "apt-cache", result);
    const found = parseAptSearch(result.stdout);
    const kept = rankResults(found, query, MAX_SEARCH_RESULTS);
    // The candidates' versions (apt-cache search names none), for the results kept only.
    const shown =
      kept.length === 0
        ? null
        : await inside(
            name,
            ["apt-cache", "show", "--no-all-versions", "--", ...kept.map((entry) => entry.name)],
            signal,
          );
    const versions = parseAptShowVersions(shown?.stdout ?? "");
    return {
      results: markInstalled(
        kept.map((entry) => ({ ...entry, version: versions.get(entry.name) ?? "" })),
        present,
      ),
      total: found.length,
    };
  };

  return {
    detect: async ({ name }, { signal }) => {
      const info = await lxc.info(name);
      if (info.state !== "RUNNING") return { manager: null, isRunning: false };
      return { manager: await detect(name, signal), isRunning: true };
    },

    list: async ({ name }, { signal }) => {
      await running(name);
      const manager = await detect(name, signal);
      return { manager, packages: manager ? await installed(name, manager, signal) : [] };
    },

    search: async ({ name, query }, { signal }) => {
      await running(name);
      const manager = await detect(name, signal);
      if (!manager) return { manager, results: [], total: 0 };
      return { manager, ...(await search(name, manager, query, signal)) };
    },

    apply: async ({ name, action, packages, ticket }, context) => {
      const judge = async () => {
        const pid = await running(name);
        if (await isPrivileged(pid))
          await requireTicket(stateDir, ticket, { action: "privilegedPackages", name });
      };
      await judge();
      const manager = await detect(name, context.signal);
      if (!manager) throw new AppError("PRECONDITION_FAILED", said("packagesNoManager", { name }));
      let exitCode = 0;
      for (const argv of changeCommands(manager, action, packages)) {
        // Judged again before each command: a container restarted privileged meanwhile needs the ticket now.
        await judge();
        await context.emit({ line: commandLine(argv), stream: "stdout" });
        exitCode = (await runChange(name, argv, context)).exitCode;
        if (exitCode !== 0) break;
      }
      return { exitCode, manager };
    },
  } satisfies THandlers<typeof packagesContract>;

  /**
   * One command of a change, its lines streamed as the job's items: apt's status lines become "[20%] Unpacking …"
   * (the same one twice in a row is said once), everything else as it is printed.
   */
  async function runChange(name: string, argv: string[], context: THandlerContext<TJobItem>) {
    let last = "";
    return runCommand(
      "lxc-attach",
      [...attach(name), ...argv],
      {
        signal: context.signal,
        emit: async (item: unknown) => {
          const typed = item as TJobItem;
          if (!("line" in typed)) return context.emit(typed);
          const status = parseAptStatus(typed.line);
          const line = status ? statusLine(status) : typed.line;
          if (status && line === last) return;
          last = line;
          await context.emit({ line: wireLine(line), stream: typed.stream });
        },
      },
      { timeoutMs: CHANGE_TIMEOUT_MS },
    );
  }
};

import { readFile, readlink } from "node:fs/promises";
import { AppError, said } from "../../errors";
import { createLxcDriver } from "../../lxc";
import type { TLogger } from "../../log";
import type { TServiceAction, TServiceManager, TService } from "../../schemas/services";
import { requireTicket } from "../admins";
import type { THandlers } from "../contract/define";
import type { servicesContract } from "../contract/services";
import { initReachesHostRoot } from "../guest-users";
import { isRunError, run } from "../run/runner";
import {
  busyboxServices,
  isSameFile,
  judgeManager,
  parseInittab,
  parseOpenrc,
  parseProcessArgs,
  parseSystemd,
  parseSystemdText,
  parseSysvinit,
  toggleInittab,
} from "../service-lists";
import { GUEST_PATH } from "./console";

const MAX_OUTPUT_CHARS = 4000;
const MAX_LIST_BYTES = 8 * 1024 * 1024;
const MAX_INITTAB_BYTES = 256 * 1024;
/** Busybox init's table written in full: a temporary file beside it, renamed over it (a fixed script: no input). */
const WRITE_INITTAB = "cat > /etc/inittab.atelier-new && mv -f /etc/inittab.atelier-new /etc/inittab";

type TAttached = { exitCode: number | null; stdout: string; stderr: string };

/**
 * The services of running containers (the contract: ../contract/services.ts). Every program here is the guest's
 * own, run inside the container by `lxc-attach --clear-env` with a fixed argv (a service's name is one argument,
 * validated by ZServiceName, and after `--` where the tool takes it); nothing of the container runs on the host, and
 * the host reads only what the kernel says of the container's init (/proc/PID/exe's link text, /proc/PID/comm,
 * its uid and gid maps).
 */
export const servicesOperations = ({
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

  /** The running container's init (its pid) and whether its maps reach host id 0; refused when not running. */
  const running = async (name: string) => {
    const info = await lxc.info(name);
    if (info.state !== "RUNNING" || info.pid === null)
      throw new AppError("PRECONDITION_FAILED", said("servicesNeedRunning", { name, state: info.state }));
    return { pid: info.pid, isPrivileged: await initReachesHostRoot(info.pid) };
  };

  /** A program of the guest's, inside the container, with a fixed argv; its exit code and output. */
  const attach = async (
    name: string,
    argv: string[],
    { input, timeoutMs = 30_000, signal }: { input?: string; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<TAttached> => {
    try {
      return await run(
        "lxc-attach",
        [
          "-n",
          name,
          "-P",
          lxcPath,
          "--clear-env",
          "-v",
          `PATH=${GUEST_PATH}`,
          "-v",
          "LANG=C.UTF-8",
          "-v",
          "SYSTEMD_COLORS=0",
          "--",
          ...argv,
        ],
        {
          timeoutMs,
          maxOutputBytes: MAX_LIST_BYTES,
          ...(input === undefined ? {} : { input }),
          ...(signal ? { signal } : {}),
          ...(log ? { log } : {}),
        },
      );
    } catch (error) {
      if (isRunError(error))
        throw new AppError(
          "PRECONDITION_FAILED",
          said("servicesGuestCommandFailed", { name, command: argv.join(" "), reason: error.message }),
        );
      throw error;
    }
  };

  /** Which service manager the container's init is: what the kernel says it runs, then probes inside it. */
  const detect = async (name: string, pid: number, signal?: AbortSignal): Promise<TServiceManager | null> => {
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => null);
    const comm = await readFile(`/proc/${pid}/comm`, "utf8").catch(() => null);
    const quick = judgeManager({ exe, comm, hasOpenrc: false, initIsBusybox: false, hasInitScripts: false });
    if (quick !== null) return quick;
    const options = signal ? { signal, timeoutMs: 15_000 } : { timeoutMs: 15_000 };
    const hasOpenrc = (await attach(name, ["rc-status", "--version"], options)).exitCode === 0;
    const stat = hasOpenrc
      ? null
      : await attach(name, ["stat", "-L", "-c", "%d:%i", "/proc/1/exe", "/bin/busybox"], options);
    const initIsBusybox = stat !== null && isSameFile(stat.stdout);
    const scripts =
      hasOpenrc || initIsBusybox ? null : await attach(name, ["ls", "-1", "/etc/init.d"], options);
    const hasInitScripts = scripts !== null && scripts.exitCode === 0 && scripts.stdout.trim() !== "";
    return judgeManager({ exe, comm, hasOpenrc, initIsBusybox, hasInitScripts });
  };

  const listOf = async (
    name: string,
    manager: TServiceManager | null,
    signal: AbortSignal,
  ): Promise<TService[]> => {
    const ask = (argv: string[]) => attach(name, argv, { signal });
    const mustAsk = async (argv: string[]) => {
      const result = await ask(argv);
      if (result.exitCode !== 0)
        throw new AppError(
          "PRECONDITION_FAILED",
          said("servicesGuestCommandFailed", {
            name,
            command: argv.join(" "),
            reason: result.stderr.trim().slice(-300) || `exit ${result.exitCode}`,
          }),
        );
      return result.stdout;
    };
    switch (manager) {
      case "systemd": {
        const units = [
          "systemctl",
          "list-units",
          "--type=service",
          "--all",
          "--no-legend",
          "--plain",
          "--no-pager",
        ];
        const files = ["systemctl", "list-unit-files", "--type=service", "--no-legend", "--no-pager"];
        const json = await ask([...units, "--output=json"]);
        // A systemd before 250 has no JSON output: its text is read instead.
        if (json.exitCode !== 0) return parseSystemdText(await mustAsk(units), await mustAsk(files));
        return parseSystemd(json.stdout, await mustAsk([...files, "--output=json"]));
      }
      case "openrc":
        return parseOpenrc(
          await mustAsk(["rc-status", "--servicelist"]),
          (await ask(["rc-update", "show", "-v"])).stdout,
        );
      case "sysvinit":
        return parseSysvinit(
          await mustAsk(["ls", "-1", "/etc/init.d"]),
          // `service` may be missing, and `ls` answers non-zero when one of the directories is: what came is used.
          (await ask(["service", "--status-all"])).stdout,
          (await ask(["ls", "-1", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d", "/etc/rc5.d"])).stdout,
        );
      case "busybox":
        return busyboxServices(
          parseInittab(await mustAsk(["cat", "/etc/inittab"])),
          parseProcessArgs((await ask(["ps", "-o", "pid,args"])).stdout),
        );
      default:
        return [];
    }
  };

  const outputOf = (result: TAttached) =>
    [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join("\n").slice(-MAX_OUTPUT_CHARS);
  const answer = (result: TAttached) => ({ ok: result.exitCode === 0, output: outputOf(result) });

  /** A service the list has, or NOT_FOUND (for the managers whose tools would not say so themselves). */
  const known = async (name: string, manager: TServiceManager, service: string, signal: AbortSignal) => {
    const services = await listOf(name, manager, signal);
    if (!services.some((found) => found.name === service))
      throw new AppError("NOT_FOUND", said("servicesUnknown", { name, service }));
  };

  const busyboxToggle = async (name: string, service: string, enable: boolean, signal: AbortSignal) => {
    const read = await attach(name, ["cat", "/etc/inittab"], { signal });
    if (read.exitCode !== 0 || read.stdout.length > MAX_INITTAB_BYTES)
      throw new AppError(
        "PRECONDITION_FAILED",
        said("servicesGuestCommandFailed", {
          name,
          command: "cat /etc/inittab",
          reason: read.stderr.trim().slice(-300) || `exit ${read.exitCode}`,
        }),
      );
    const entry = parseInittab(read.stdout).find((found) => found.name === service);
    if (!entry) throw new AppError("NOT_FOUND", said("servicesUnknown", { name, service }));
    if (entry.enabled === enable) return { ok: true, output: "" };
    const written = await attach(name, ["/bin/sh", "-c", WRITE_INITTAB], {
      input: toggleInittab(read.stdout, entry, enable),
      signal,
    });
    if (written.exitCode !== 0) return answer(written);
    // busybox init reads /etc/inittab again on SIGHUP: a disabled respawn entry is no longer started again.
    const reread = await attach(name, ["kill", "-HUP", "1"], { signal });
    return {
      ok: reread.exitCode === 0,
      output: [outputOf(written), outputOf(reread)].filter(Boolean).join("\n"),
    };
  };

  const act = async (
    name: string,
    manager: TServiceManager,
    service: string,
    action: TServiceAction,
    signal: AbortSignal,
  ) => {
    const options = { signal, timeoutMs: 150_000 };
    switch (manager) {
      case "systemd": {
        const unit = service.endsWith(".service") ? service : `${service}.service`;
        return answer(await attach(name, ["systemctl", "--no-ask-password", action, "--", unit], options));
      }
      case "openrc": {
        await known(name, manager, service, signal);
        const argv =
          action === "enable"
            ? ["rc-update", "add", service, "default"]
            : action === "disable"
              ? ["rc-update", "-a", "del", service]
              : ["rc-service", service, action];
        return answer(await attach(name, argv, options));
      }
      case "sysvinit": {
        await known(name, manager, service, signal);
        if (action === "enable") {
          // `enable` only turns existing links back on: `defaults` makes them when there are none.
          const made = await attach(name, ["update-rc.d", service, "defaults"], options);
          if (made.exitCode !== 0) return answer(made);
          return answer(await attach(name, ["update-rc.d", service, "enable"], options));
        }
        if (action === "disable")
          return answer(await attach(name, ["update-rc.d", service, "disable"], options));
        return answer(await attach(name, [`/etc/init.d/${service}`, action], options));
      }
      case "busybox":
        if (action === "enable" || action === "disable")
          return busyboxToggle(name, service, action === "enable", signal);
        throw new AppError("PRECONDITION_FAILED", said("servicesBusyboxNoStart", { name, service }));
    }
  };

  return {
    list: async ({ name }, { signal }) => {
      const { pid } = await running(name);
      const manager = await detect(name, pid, signal);
      return { manager, services: await listOf(name, manager, signal) };
    },

    act: async ({ name, service, action, ticket }, { signal }) => {
      const { pid, isPrivileged } = await running(name);
      if (isPrivileged) await requireTicket(stateDir, ticket, { action: "privilegedService", name });
      const manager = await detect(name, pid, signal);
      if (manager === null) throw new AppError("PRECONDITION_FAILED", said("servicesNoManager", { name }));
      // Judged again right before acting: a container restarted meanwhile, privileged this time, needs the ticket.
      const again = await running(name);
      if (again.isPrivileged) await requireTicket(stateDir, ticket, { action: "privilegedService", name });
      return act(name, manager, service, action, signal);
    },
  } satisfies THandlers<typeof servicesContract>;
};

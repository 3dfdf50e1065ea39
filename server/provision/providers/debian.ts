import { stat } from "node:fs/promises";
import os from "node:os";
import { AppError, said } from "../../errors";
import { DEBIAN_KEYRING } from "../../schemas/debian";
import { commandFailed } from "./failed";
import type { TProviderDeps, TRootfsProvider } from "./types";
import { phase, type TPhase } from "../../i18n/job-phases";

/** Lines LXC's debian template prints for a cold cache (debootstrap's I: lines and its own), measured: ~650. */
const DEBIAN_EXPECTED_LINES = 650;

/** The job's progress from the template's output: it only moves forward. */
export const debianProgress = () => {
  let lines = 0;
  return (line: string): { progress: number; phase: TPhase } | null => {
    if (line.startsWith("I: ")) {
      lines += 1;
      const now = /^I: (Retrieving|Validating)/.test(line)
        ? phase("downloadingPackages")
        : /^I: (Extracting|Unpacking|Installing)/.test(line)
          ? phase("unpackingPackages")
          : /^I: Configuring/.test(line)
            ? phase("configuringPackages")
            : phase("bootstrapping");
      return { progress: 5 + Math.min(75, (lines / DEBIAN_EXPECTED_LINES) * 75), phase: now };
    }
    if (line.startsWith("Checking cache download")) return { progress: 3, phase: phase("checkingCache") };
    if (line.startsWith("Downloading debian minimal")) return { progress: 5, phase: phase("debootstrap") };
    if (line.startsWith("Copying rootfs")) return { progress: 82, phase: phase("copyingCache") };
    if (line.startsWith("Generating locales")) return { progress: 88, phase: phase("generatingLocales") };
    if (line.startsWith("Creating SSH2")) return { progress: 92, phase: phase("creatingSshKeys") };
    if (line.startsWith("Current default time zone"))
      return { progress: 96, phase: phase("settingTimeZone") };
    return null;
  };
};

/**
 * LXC's debian template (debootstrap, with LXC's cache), run by the helper with Debian's archive keyring pinned:
 * the mirror is the operator's to choose, and debootstrap runs the packages' scripts as root in the new system's
 * chroot, so only packages signed by Debian may get there. `isBusy` says whether one runs (the cache is in use).
 */
export const debianProvider = ({ lxc, helper }: TProviderDeps) => {
  let running = 0;
  const provider: TRootfsProvider<"debian"> = {
    busyboxInit: false,
    check: async (rootfs) => {
      if (!(await stat(DEBIAN_KEYRING).catch(() => null))?.isFile())
        throw new AppError("LXC_UNAVAILABLE", {
          ...said("debianKeyringMissing", { keyring: DEBIAN_KEYRING }),
          field: "rootfs.kind",
        });
      // amd64 and i386 (the 32-bit userland) run on an x86-64 host; i386 also on a 32-bit x86 one.
      const host = os.arch();
      const runs = rootfs.arch === "amd64" ? host === "x64" : host === "x64" || host === "ia32";
      if (!runs)
        throw new AppError("BAD_REQUEST", {
          ...said("archUnsupported", { host, arch: rootfs.arch }),
          field: "rootfs.arch",
        });
    },
    make: async (name, rootfs, context) => {
      context.setProgress(1, phase("startingDebian"));
      const progressOf = debianProgress();
      let isUnchecked = false;
      running += 1;
      try {
        const result = await context.stream(
          helper.jobs.createDebian,
          { name, rootfs },
          {
            onLine: (line) => {
              // Cannot happen with the keyring there (checked first); if it ever does, the job fails.
              if (line.includes("No GPG check")) isUnchecked = true;
              const step = progressOf(line);
              if (step) context.setProgress(step.progress, step.phase);
            },
          },
        );
        if (isUnchecked) throw new AppError("INTERNAL", said("debianUnsigned", { keyring: DEBIAN_KEYRING }));
        if (result.exitCode !== 0 || !(await lxc.exists(name)))
          throw commandFailed({ what: "command", command: "lxc-create -t debian" }, result);
      } finally {
        running -= 1;
      }
    },
    /** The template's partial download, left behind when it is killed; only when no other debian job runs. */
    cleanup: async (rootfs) => {
      if (running === 0)
        await helper.cache
          .remove({ entry: `partial-${rootfs.release}-${rootfs.arch}` })
          .catch(() => undefined);
    },
  };
  return { ...provider, isBusy: () => running > 0 };
};

import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { phrase, wordsOf, type TPhrase, type TWords } from "../i18n/english";

/**
 * Whether the host's network managers would interfere with LXC's veths (the seed tutorial's udev trouble), from
 * their files alone (no process): NetworkManager taking veths over, udev's old persistent-net generator writing a
 * rule for every new veth MAC, systemd-networkd configuring veths with a catch-all .network file. Each check says
 * what it saw and the fix, in English with their words beside (the pages word them in the reader's language, and
 * the title by the check's id). `root` lets tests point it at a directory laid out like /.
 */
export type TReadinessCheck = {
  id: "network-manager" | "udev-persistent-net" | "systemd-networkd";
  status: "ok" | "warning";
  title: string;
  detail: string;
  detailWords: TWords;
  fix: string | null;
  fixWords: TWords | null;
};

/** A check from its sentences. */
const check = (
  id: TReadinessCheck["id"],
  status: TReadinessCheck["status"],
  title: string,
  detail: TPhrase,
  fix: TPhrase | null = null,
): TReadinessCheck => ({
  id,
  status,
  title,
  detail: detail.text,
  detailWords: wordsOf(detail),
  fix: fix?.text ?? null,
  fixWords: fix ? wordsOf(fix) : null,
});

const exists = async (file: string) => (await stat(file).catch(() => null)) !== null;
const readText = (file: string) => readFile(file, "utf8").catch(() => "");
const filesIn = async (dir: string, suffix: string) =>
  (await readdir(dir).catch(() => [] as string[]))
    .filter((entry) => entry.endsWith(suffix))
    .map((entry) => path.join(dir, entry));

export const checkReadiness = async (root = "/"): Promise<TReadinessCheck[]> => {
  const at = (file: string) => path.join(root, file);
  const checks: TReadinessCheck[] = [];

  // NetworkManager: running (its runtime directory) and not told to leave veths alone.
  const nmRunning = await exists(at("run/NetworkManager"));
  const nmConfig = [
    await readText(at("etc/NetworkManager/NetworkManager.conf")),
    ...(await Promise.all((await filesIn(at("etc/NetworkManager/conf.d"), ".conf")).map(readText))),
  ].join("\n");
  const nmSkipsVeth = /^\s*unmanaged-devices\s*=.*(interface-name:veth|driver:veth|type:veth)/m.test(
    nmConfig,
  );
  checks.push(
    !nmRunning
      ? check("network-manager", "ok", "NetworkManager", phrase("readiness.notRunning"))
      : nmSkipsVeth
        ? check("network-manager", "ok", "NetworkManager", phrase("readiness.nmUnmanaged"))
        : check(
            "network-manager",
            "warning",
            "NetworkManager",
            phrase("readiness.nmTakesVeths"),
            phrase("readiness.nmFix"),
          ),
  );

  // udev: the persistent-net generator (older Debian/Ubuntu) writes a rule per new MAC, veths included.
  const generator =
    (await exists(at("lib/udev/rules.d/75-persistent-net-generator.rules"))) &&
    !(await exists(at("etc/udev/rules.d/75-persistent-net-generator.rules")));
  const persistent = await readText(at("etc/udev/rules.d/70-persistent-net.rules"));
  const vethRules = persistent
    .split("\n")
    .filter((line) => /NAME="veth|ATTR\{address\}=="(fe|00:16:3e)/i.test(line)).length;
  const udev = "udev persistent network names";
  checks.push(
    generator
      ? check(
          "udev-persistent-net",
          "warning",
          udev,
          phrase("readiness.udevGenerator"),
          phrase("readiness.udevGeneratorFix"),
        )
      : vethRules > 0
        ? check(
            "udev-persistent-net",
            "warning",
            udev,
            phrase("readiness.udevRules", { count: vethRules }),
            phrase("readiness.udevRulesFix"),
          )
        : check("udev-persistent-net", "ok", udev, phrase("readiness.udevOk")),
  );

  // systemd-networkd: a .network file that matches any name (Name=*, or veth*) would configure container veths.
  const networkdRunning = await exists(at("run/systemd/netif/links"));
  const networkFiles = [
    ...(await filesIn(at("etc/systemd/network"), ".network")),
    ...(await filesIn(at("run/systemd/network"), ".network")),
  ];
  const catchAll: string[] = [];
  for (const file of networkFiles) {
    const text = await readText(file);
    if (/^\s*Name\s*=\s*(\*|veth\*|.*\bveth\*)/m.test(text)) catchAll.push(path.basename(file));
  }
  checks.push(
    networkdRunning && catchAll.length > 0
      ? check(
          "systemd-networkd",
          "warning",
          "systemd-networkd",
          phrase("readiness.networkdCatchAll", { files: catchAll.join(", "), count: catchAll.length }),
          phrase("readiness.networkdFix"),
        )
      : check(
          "systemd-networkd",
          "ok",
          "systemd-networkd",
          phrase(networkdRunning ? "readiness.networkdOk" : "readiness.notRunning"),
        ),
  );
  return checks;
};

import type { THostReadiness, TReadinessCheck } from "../helper/contract/host";
import type { THelper } from "../helper-client";
import { checkReadiness, type TReadinessCheck as TNetworkCheck } from "../host-network/readiness";
import type { TWords } from "../i18n/english";

/** A check as the page gets it: a network manager's carries its sentences' words (what it saw, its fix). */
export type THostCheck = TReadinessCheck & { words: { detail: TWords | null; fix: TWords | null } | null };

/** The network managers' checks' keys in the catalogue (readiness.checks.<key>). */
const NETWORK_KEYS = {
  "network-manager": "networkManager",
  "udev-persistent-net": "udevPersistentNet",
  "systemd-networkd": "systemdNetworkd",
} as const;

const fromNetwork = (check: TNetworkCheck): THostCheck => ({
  id: check.id,
  group: "network",
  status: check.status,
  label: check.title,
  seen: check.detail,
  key: NETWORK_KEYS[check.id],
  params: {},
  fix: check.fix ? { kind: "command", text: check.fix, file: null } : null,
  safeFix: null,
  words: { detail: check.detailWords, fix: check.fixWords },
});

/**
 * The Host page's readiness report: the helper's (root reads the kernel's report, cgroups, /etc/subuid...) and the
 * network managers' (the web tier reads their files, as the Network page does), in one list.
 */
export const readHostReadiness = async ({
  helper,
  settings,
}: {
  helper: Pick<THelper, "host">;
  settings: { hostRoot: string };
}): Promise<THostReadiness & { checks: THostCheck[] }> => {
  const [report, network] = await Promise.all([helper.host.readiness({}), checkReadiness(settings.hostRoot)]);
  return {
    ...report,
    checks: [...report.checks.map((check) => ({ ...check, words: null })), ...network.map(fromNetwork)],
  };
};

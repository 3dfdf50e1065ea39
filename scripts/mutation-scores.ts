/**
 * After the two Stryker runs: the mutation score of each mutated file (killed or timed out, over all but ignored and
 * invalid mutants) from reports/mutation/mutation.json; fails when one is below 80 %, and lists the survivors.
 */
import { readFile } from "node:fs/promises";

type TMutant = {
  status: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number } };
};
type TReport = { files: Record<string, { mutants: TMutant[] }> };
// The main run, and the name validator's (its static mutants counted: stryker.names.config.mjs).
const reports = await Promise.all(
  ["reports/mutation/mutation.json", "reports/mutation/names.json"].map(
    async (file) => JSON.parse(await readFile(file, "utf8").catch(() => '{"files":{}}')) as TReport,
  ),
);
const report: TReport = { files: Object.assign({}, ...reports.map((r) => r.files)) as TReport["files"] };
const MINIMUM = 80;
/** The config reader, the privilege rules, the helper's tickets and the sign-in throttle: 85 % each. */
const STRICTER: Record<string, number> = {
  "server/schemas/lxc-config/model.ts": 85,
  "server/schemas/lxc-config/privileges.ts": 85,
  "server/helper/admins.ts": 85,
  "server/auth/rate-limit.ts": 85,
};
let failed = false;
for (const [file, { mutants }] of Object.entries(report.files)) {
  const counted = mutants.filter((m) => ["Killed", "Timeout", "Survived", "NoCoverage"].includes(m.status));
  const killed = counted.filter((m) => m.status === "Killed" || m.status === "Timeout").length;
  const score = counted.length === 0 ? 100 : (killed / counted.length) * 100;
  const survivors = counted.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
  process.stdout.write(`${score.toFixed(1).padStart(5)} %  ${file}  (${killed}/${counted.length} killed)\n`);
  for (const m of survivors)
    process.stdout.write(
      `         line ${m.location.start.line}: ${m.mutatorName} -> ${(m.replacement ?? "").replace(/\s+/g, " ").slice(0, 80)} (${m.status})\n`,
    );
  if (score < (STRICTER[file] ?? MINIMUM)) failed = true;
}
if (failed) {
  process.stderr.write(
    `A file scored below its minimum (${MINIMUM} %, 85 % for the reader, privileges, tickets and throttle): its tests miss mistakes that matter.\n`,
  );
  process.exit(1);
}

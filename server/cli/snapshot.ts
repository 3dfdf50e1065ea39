import { API_COMMANDS, CliUsageError, expectPositionals, nameArg, stringOf, type TParsed } from "./api-args";
import { waitForJob } from "./jobs";
import { formatBytes, formatJson, formatTable } from "./output";
import { callProcedure, type TEndpoint } from "./remote";

/** `atelier snapshot NAME [list|create|restore|delete …]`: the snapshots router (lxc-snapshot) through the API. */
type TSnapshot = { name: string; createdAt: Date | null; comment: string | null; bytes: number | null };

const out = (text: string) => process.stdout.write(text);
const usage = API_COMMANDS.snapshot.usage;

/** The rows of `snapshot NAME list`. Pure: unit-tested. */
export const snapshotRows = (list: TSnapshot[]) =>
  list.map((snapshot) => [
    snapshot.name,
    snapshot.createdAt ? snapshot.createdAt.toISOString().replace(/\.\d{3}Z$/, "Z") : "-",
    formatBytes(snapshot.bytes),
    snapshot.comment ?? "",
  ]);

/** The action and its arguments. Pure: unit-tested. */
export const snapshotAction = (parsed: TParsed) => {
  expectPositionals(parsed, 1, 3, usage);
  const [rawName, action = "list", snapshot] = parsed.positionals;
  const name = nameArg(rawName);
  const comment = stringOf(parsed.values, "comment");
  const newName = stringOf(parsed.values, "as");
  if (comment !== undefined && action !== "create")
    throw new CliUsageError("--comment is for snapshot NAME create");
  if (newName !== undefined && action !== "restore")
    throw new CliUsageError("--as is for snapshot NAME restore SNAP");
  if (parsed.values.json && action !== "list") throw new CliUsageError("--json is for snapshot NAME list");
  switch (action) {
    case "list":
    case "create":
      if (snapshot !== undefined)
        throw new CliUsageError(`unexpected argument ${JSON.stringify(snapshot)}: ${usage}`);
      return action === "list"
        ? { action, name }
        : { action, name, ...(comment === undefined ? {} : { comment }) };
    case "restore":
    case "delete":
      if (snapshot === undefined)
        throw new CliUsageError(`the snapshot's name is missing: snapshot NAME ${action} SNAP`);
      return {
        action,
        name,
        snapshot,
        ...(newName === undefined ? {} : { newName: nameArg(newName, "--as") }),
      };
    default:
      throw new CliUsageError(
        `unknown snapshot action ${JSON.stringify(action)}: list, create, restore or delete`,
      );
  }
};

export const runSnapshot = async (endpoint: TEndpoint, parsed: TParsed) => {
  const { action, ...input } = snapshotAction(parsed);
  if (action === "list") {
    const list = await callProcedure<TSnapshot[]>(endpoint, "snapshots.list", input);
    out(
      parsed.values.json
        ? formatJson(list)
        : formatTable(["SNAPSHOT", "CREATED", "SIZE", "COMMENT"], snapshotRows(list)),
    );
    return;
  }
  if (action === "delete") {
    await callProcedure(endpoint, "snapshots.delete", input);
    out(`${"snapshot" in input ? input.snapshot : ""} of ${input.name} deleted\n`);
    return;
  }
  const { jobId } = await callProcedure<{ jobId: string }>(endpoint, `snapshots.${action}`, input);
  const what = action === "create" ? `snapshot of ${input.name}` : `restoring ${input.name}`;
  if (parsed.values["no-wait"]) {
    out(`${jobId}\n`);
    return;
  }
  const job = await waitForJob(endpoint, jobId, what);
  const made = (job.result as { snapshot?: unknown } | null)?.snapshot;
  out(
    action === "create"
      ? `${input.name}: snapshot ${typeof made === "string" ? made : "made"}\n`
      : `${input.name} restored\n`,
  );
};

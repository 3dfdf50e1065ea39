import type { TDb } from "../db";

/**
 * Calls without credentials that were refused, audited as one row per client address and minute: the row says how
 * many calls it stands for and which procedures they named (only names the router has), never their input. A
 * stranger can neither flood the audit log nor write into it.
 */
const MAX_PROCEDURES = 20;

export const createAnonymousRefusals = ({
  db,
  isProcedure,
  now = () => Date.now(),
}: {
  db: TDb;
  isProcedure: (path: string) => boolean;
  now?: () => number;
}) => {
  const open = new Map<
    string,
    { minute: number; id: Promise<number>; procedures: Set<string>; codes: Set<string> }
  >();

  const record = async (clientAddress: string | null, path: string, code: string) => {
    const address = clientAddress ?? "unknown";
    const minute = Math.floor(now() / 60_000);
    const procedure = isProcedure(path) ? path : "(unknown procedure)";
    const current = open.get(address);
    if (current && current.minute === minute) {
      if (current.procedures.size < MAX_PROCEDURES) current.procedures.add(procedure);
      current.codes.add(code);
      const id = await current.id;
      await db.auditEntry.update({
        where: { id },
        data: {
          count: { increment: 1 },
          input: JSON.stringify({ procedures: [...current.procedures] }),
          error: `${[...current.codes].join(", ")}: calls without valid credentials`,
        },
      });
      return;
    }
    // Rows of past minutes are final; forget them (the map holds at most one entry per address).
    for (const [key, entry] of open) if (entry.minute !== minute) open.delete(key);
    const entry = {
      minute,
      procedures: new Set([procedure]),
      codes: new Set([code]),
      id: db.auditEntry
        .create({
          data: {
            actor: "anonymous",
            via: null,
            action: "refused",
            target: null,
            input: JSON.stringify({ procedures: [procedure] }),
            result: "error",
            error: `${code}: calls without valid credentials`,
            clientAddress: address,
            count: 1,
          },
        })
        .then((row) => row.id),
    };
    open.set(address, entry);
    await entry.id;
  };

  return { record };
};

export type TAnonymousRefusals = ReturnType<typeof createAnonymousRefusals>;

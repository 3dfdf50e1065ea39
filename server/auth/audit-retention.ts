/** Deletes audit entries older than the retention period (the web tier, hourly). */
export const pruneAudit = (
  db: { auditEntry: { deleteMany: (args: { where: { at: { lt: Date } } }) => Promise<{ count: number }> } },
  days: number,
) => db.auditEntry.deleteMany({ where: { at: { lt: new Date(Date.now() - days * 24 * 60 * 60 * 1000) } } });

-- Security: refused calls without credentials are audited as one row per client address and minute, with a count.
-- Written by hand; server/db.test.ts checks it against schema.prisma.

ALTER TABLE "AuditEntry" ADD COLUMN "count" INTEGER NOT NULL DEFAULT 1;

-- An audit entry's error sentence id and values (JSON), so the page words it in the reader's language.
ALTER TABLE "AuditEntry" ADD COLUMN "errorWords" TEXT;

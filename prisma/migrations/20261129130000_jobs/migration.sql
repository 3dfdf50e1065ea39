-- Provisioning: background jobs with their log, and saved creation forms (types).
-- Written by hand from `prisma db push` output; server/db.test.ts checks it against schema.prisma.

CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "progress" INTEGER,
    "phase" TEXT,
    "result" TEXT,
    "error" TEXT,
    "pgid" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);
CREATE TABLE "JobLine" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "jobId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "text" TEXT NOT NULL
);
CREATE TABLE "ContainerType" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "form" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "Job_createdAt_idx" ON "Job"("createdAt");
CREATE INDEX "JobLine_jobId_id_idx" ON "JobLine"("jobId", "id");

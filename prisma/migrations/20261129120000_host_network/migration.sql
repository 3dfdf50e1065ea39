-- Host networking: applied changes (for rollback), the bridges Atelier manages, the NAT network.
-- Written by hand from `prisma db push` output; server/db.test.ts checks it against schema.prisma.

-- CreateTable
CREATE TABLE "NetworkApply" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "changes" TEXT NOT NULL,
    "steps" TEXT NOT NULL,
    "done" INTEGER NOT NULL DEFAULT 0,
    "rollbackAt" DATETIME,
    "finishedAt" DATETIME,
    "message" TEXT,
    "log" TEXT NOT NULL DEFAULT '[]'
);

-- CreateIndex
CREATE INDEX "NetworkApply_createdAt_idx" ON "NetworkApply"("createdAt");

-- CreateTable
CREATE TABLE "ManagedBridge" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "since" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "NatNetwork" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT DEFAULT 1,
    "bridge" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "dhcpStart" TEXT NOT NULL,
    "dhcpEnd" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" DATETIME NOT NULL
);

-- The event log behind the live stream (lxc-monitor state changes and panel operations).
-- Written by hand from `prisma db push` output; server/db.test.ts checks it against schema.prisma.

-- CreateTable
CREATE TABLE "Event" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "container" TEXT,
    "state" TEXT,
    "actor" TEXT,
    "data" TEXT
);

-- CreateIndex
CREATE INDEX "Event_at_idx" ON "Event"("at");

-- CreateIndex
CREATE INDEX "Event_container_id_idx" ON "Event"("container", "id");

-- The range of host ids each unprivileged container maps, released when it is destroyed or made privileged.
CREATE TABLE "IdRange" (
    "container" TEXT NOT NULL PRIMARY KEY,
    "slot" INTEGER NOT NULL,
    "first" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "IdRange_slot_key" ON "IdRange"("slot");

-- Config history: every version written through Atelier and the file as first found.
-- Written by hand from `prisma db push` output; server/db.test.ts checks it against schema.prisma.

-- CreateTable
CREATE TABLE "ConfigVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "container" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "ConfigVersion_container_id_idx" ON "ConfigVersion"("container", "id");

-- Usage history (1-minute rows kept 7 days, 1-hour rows kept a year).
-- Written by hand from `prisma db push` output; server/db.test.ts checks it against schema.prisma.

-- CreateTable
CREATE TABLE "MetricHour" (
    "container" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "samples" INTEGER NOT NULL,
    "oomKills" INTEGER NOT NULL DEFAULT 0,
    "cpuMin" REAL,
    "cpuAvg" REAL,
    "cpuMax" REAL,
    "memoryMin" REAL,
    "memoryAvg" REAL,
    "memoryMax" REAL,
    "memoryLimitMin" REAL,
    "memoryLimitAvg" REAL,
    "memoryLimitMax" REAL,
    "swapMin" REAL,
    "swapAvg" REAL,
    "swapMax" REAL,
    "pidsMin" REAL,
    "pidsAvg" REAL,
    "pidsMax" REAL,
    "ioReadMin" REAL,
    "ioReadAvg" REAL,
    "ioReadMax" REAL,
    "ioWriteMin" REAL,
    "ioWriteAvg" REAL,
    "ioWriteMax" REAL,
    "netRxMin" REAL,
    "netRxAvg" REAL,
    "netRxMax" REAL,
    "netTxMin" REAL,
    "netTxAvg" REAL,
    "netTxMax" REAL,

    PRIMARY KEY ("container", "bucket")
);

-- CreateTable
CREATE TABLE "MetricMinute" (
    "container" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "samples" INTEGER NOT NULL,
    "oomKills" INTEGER NOT NULL DEFAULT 0,
    "cpuMin" REAL,
    "cpuAvg" REAL,
    "cpuMax" REAL,
    "memoryMin" REAL,
    "memoryAvg" REAL,
    "memoryMax" REAL,
    "memoryLimitMin" REAL,
    "memoryLimitAvg" REAL,
    "memoryLimitMax" REAL,
    "swapMin" REAL,
    "swapAvg" REAL,
    "swapMax" REAL,
    "pidsMin" REAL,
    "pidsAvg" REAL,
    "pidsMax" REAL,
    "ioReadMin" REAL,
    "ioReadAvg" REAL,
    "ioReadMax" REAL,
    "ioWriteMin" REAL,
    "ioWriteAvg" REAL,
    "ioWriteMax" REAL,
    "netRxMin" REAL,
    "netRxAvg" REAL,
    "netRxMax" REAL,
    "netTxMin" REAL,
    "netTxAvg" REAL,
    "netTxMax" REAL,

    PRIMARY KEY ("container", "bucket")
);

-- CreateIndex
CREATE INDEX "MetricHour_bucket_idx" ON "MetricHour"("bucket");

-- CreateIndex
CREATE INDEX "MetricMinute_bucket_idx" ON "MetricMinute"("bucket");

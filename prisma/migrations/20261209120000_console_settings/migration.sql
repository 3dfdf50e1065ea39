-- Who a container's Shell tab logs in as, and with what shell.
CREATE TABLE "ConsoleSetting" (
    "container" TEXT NOT NULL PRIMARY KEY,
    "user" TEXT NOT NULL,
    "shell" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

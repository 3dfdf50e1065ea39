-- The helper's ticket for an admin's session (server/helper/admins.ts).
ALTER TABLE "Session" ADD COLUMN "adminTicket" TEXT;
ALTER TABLE "ApiToken" ADD COLUMN "adminTicket" TEXT;

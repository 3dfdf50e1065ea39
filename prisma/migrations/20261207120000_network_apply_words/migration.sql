-- A network change's outcome in the pages' language: its sentence's id and values (JSON) beside the English message.
ALTER TABLE "NetworkApply" ADD COLUMN "messageWords" TEXT;

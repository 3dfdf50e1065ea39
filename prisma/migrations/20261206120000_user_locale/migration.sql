-- The language a user chose for the pages (null: the browser's Accept-Language decides).
ALTER TABLE "User" ADD COLUMN "locale" TEXT;

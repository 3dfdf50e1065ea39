/** The shapes the Files tab reads: the shared schemas' (server/schemas/files.ts). */
export type { TFileEntry, TFileKind } from "@/server/schemas/files";

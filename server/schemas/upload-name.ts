import { z } from "zod";
import { says } from "./issue-words";

/** An uploaded archive's name (random part, then the browser's file name reduced to safe characters). */
export const UPLOAD_NAME = /^upload-[0-9a-f]{8}-[A-Za-z0-9._-]{1,100}$/;
export const ZUploadName = z.string().regex(UPLOAD_NAME, says("validation.containers.uploadName"));

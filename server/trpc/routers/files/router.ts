import { router } from "../../procedures";
import { chmodFileRoute } from "./chmod-file";
import { chownFileRoute } from "./chown-file";
import { deleteFileRoute } from "./delete-file";
import { fileShortcutsRoute } from "./file-shortcuts";
import { guestAccountsRoute } from "./guest-accounts";
import { listFilesRoute } from "./list-files";
import { makeDirectoryRoute } from "./make-directory";
import { readFileRoute } from "./read-file";
import { renameFileRoute } from "./rename-file";
import { statFileRoute } from "./stat-file";
import { symlinkRoute } from "./symlink-file";
import { writeFileRoute } from "./write-file";

/**
 * Files inside containers (issue #26, docs/api.md "Files"): viewers browse and read (as the container's others),
 * operators and admins change (a privileged container: admins only, the helper judges the ticket). Large files
 * stream over GET/PUT /api/containers/NAME/files (server/http/files.ts). Every change is audited by path, never
 * by content.
 */
export const filesRouter = router({
  list: listFilesRoute,
  stat: statFileRoute,
  read: readFileRoute,
  accounts: guestAccountsRoute,
  shortcuts: fileShortcutsRoute,
  write: writeFileRoute,
  mkdir: makeDirectoryRoute,
  rename: renameFileRoute,
  delete: deleteFileRoute,
  chmod: chmodFileRoute,
  chown: chownFileRoute,
  symlink: symlinkRoute,
});

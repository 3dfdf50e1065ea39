import { AppError, said } from "../../errors";
import type { THandlers } from "../contract/define";
import type { filesContract } from "../contract/files";

/** Files inside containers (the contract: ../contract/files.ts). Stubs until the implementation lands. */
export const filesOperations = (_settings: {
  lxcPath: string;
  containerConfig?: string;
  stateDir: string;
}) => {
  const notYet = (): never => {
    throw new AppError("PRECONDITION_FAILED", said("helperOperationFailed"));
  };
  return {
    list: () => Promise.resolve().then(notYet),
    stat: () => Promise.resolve().then(notYet),
    read: () => Promise.resolve().then(notYet),
    write: () => Promise.resolve().then(notYet),
    mkdir: () => Promise.resolve().then(notYet),
    rename: () => Promise.resolve().then(notYet),
    remove: () => Promise.resolve().then(notYet),
    chmod: () => Promise.resolve().then(notYet),
    chown: () => Promise.resolve().then(notYet),
    symlink: () => Promise.resolve().then(notYet),
    accounts: () => Promise.resolve().then(notYet),
    download: () => Promise.resolve().then(notYet),
    tar: () => Promise.resolve().then(notYet),
    upload: () => Promise.resolve().then(notYet),
  } satisfies THandlers<typeof filesContract>;
};

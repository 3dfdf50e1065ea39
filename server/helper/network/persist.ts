import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import {
  detectSystem,
  liveBridges,
  ownedFiles,
  readText,
  renderPersisted,
  type TPersistFile,
  type TPersistSystem,
} from "../../host-network/persist";
import { writeAtomically } from "../write-atomically";
import { readHostNetwork } from "./read";

/**
 * The managed bridges written to the host's own network configuration (Atelier's files only:
 * /etc/network/interfaces.d/atelier or /etc/systemd/network/50-atelier-*), rendered here from the live state: the
 * web tier names the bridges and which ports are containers' (never persisted), nothing of the files' content.
 */

/** Writes the files (atomically) and removes Atelier's files that are no longer needed. */
export const writePersisted = async (root: string, system: TPersistSystem, files: TPersistFile[]) => {
  for (const file of files) {
    const target = path.join(root, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    // Readable by all, as the rest of /etc/network and /etc/systemd/network (the web tier compares them).
    if ((await readText(target)) !== file.content)
      await writeAtomically(target, file.content, { newMode: 0o644 });
  }
  for (const relative of await ownedFiles(root, system))
    if (!files.some((file) => file.path === relative)) await rm(path.join(root, relative), { force: true });
};

/** The managed bridges as they are live, persisted under `hostRoot` ("/", or a directory laid out like / in tests). */
export const persistBridges = async ({
  hostRoot,
  managed,
  containerPorts,
}: {
  hostRoot: string;
  managed: readonly string[];
  containerPorts: readonly string[];
}) => {
  const [network, target] = await Promise.all([readHostNetwork(), detectSystem(hostRoot)]);
  const ports = new Set(containerPorts);
  const files = renderPersisted(target.system, liveBridges(network, new Set(managed)), (name) =>
    ports.has(name),
  );
  await writePersisted(hostRoot, target.system, files);
  return { system: target.system, files: files.map((file) => `/${file.path}`) };
};

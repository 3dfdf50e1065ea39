import { lstat, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ZAutostartExtras, type TAutostartExtras } from "../schemas/autostart";
import { ZContainerName } from "../schemas/container-name";
import { writeAtomically } from "../helper/write-atomically";

/**
 * What Atelier adds to LXC's autostart, per container: its dependency and its stop timeout. Kept by root in the
 * helper's state directory (autostart.json, 0600), because the boot routine runs from systemd as root with neither
 * the web tier nor its database. A file that is missing is empty; one that is not a regular file, or does not
 * parse, is refused (never followed through a link, never guessed at).
 */
const ZStore = z.object({ containers: z.record(ZContainerName, ZAutostartExtras) }).strict();
export type TAutostartStore = z.infer<typeof ZStore>;

const FILE = "autostart.json";
export const storeFileOf = (stateDir: string) => path.join(stateDir, FILE);

export const readAutostartStore = async (stateDir: string): Promise<TAutostartStore> => {
  const file = storeFileOf(stateDir);
  const info = await lstat(file).catch(() => null);
  if (!info) return { containers: {} };
  if (!info.isFile()) throw new Error(`${file} is not a regular file`);
  return ZStore.parse(JSON.parse(await readFile(file, "utf8")));
};

/** A container's extras: the defaults (no dependency, 30 s to stop) when none were set. */
export const extrasOf = (store: TAutostartStore, name: string): TAutostartExtras =>
  store.containers[name] ?? ZAutostartExtras.parse({});

/** One change at a time in this process: read, change, write atomically. */
let queue: Promise<unknown> = Promise.resolve();
export const updateAutostartStore = (
  stateDir: string,
  change: (store: TAutostartStore) => TAutostartStore | Promise<TAutostartStore>,
) => {
  const work = async () => {
    const next = ZStore.parse(await change(await readAutostartStore(stateDir)));
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeAtomically(storeFileOf(stateDir), `${JSON.stringify(next, null, 2)}\n`, { newMode: 0o600 });
  };
  const run = queue.then(work, work);
  queue = run.catch(() => undefined);
  return run;
};

/**
 * Forgets a destroyed container's extras: a new container given the same name starts without its predecessor's
 * dependency and stop timeout. (Another container's dependency on it stays: it waits for that name, and fails
 * clearly at its timeout while no such container exists.)
 */
export const forgetAutostartExtras = (stateDir: string, name: string) =>
  updateAutostartStore(stateDir, (store) => {
    const containers = { ...store.containers };
    delete containers[name];
    return { containers };
  });

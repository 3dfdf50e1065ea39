import { execa } from "execa";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createContainerService } from "@/server/containers/service";
import { isAppError } from "@/server/errors";
import { createLxcDriver } from "@/server/lxc";
import { forceDestroy, lxcPath, lxcState, uniqueName } from "../lxc-oracle";

const lxc = createLxcDriver({ lxcPath: lxcPath(), containerConfig: process.env.ATELIER_CONTAINER_CONFIG });
const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.map(forceDestroy));
});

const codeOf = async (work: Promise<unknown>) => {
  try {
    await work;
    return "ok";
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
};

describe("the container service", () => {
  it("refuses a second operation on a container while the first runs, and shows the first as busy", async () => {
    const containers = createContainerService({ lxc, listMaxAgeMs: 0 });
    const name = uniqueName("busy");
    created.push(name);
    await lxc.create(name, { template: "busybox" });
    await containers.start(name);

    const stopping = containers.stop(name, { timeoutSeconds: 20 });
    expect(await codeOf(containers.start(name))).toBe("CONFLICT");
    expect(await codeOf(containers.destroy(name, { force: true }))).toBe("CONFLICT");
    expect((await containers.list()).find((row) => row.name === name)?.busy).toBe("stop");
    await stopping;

    expect(await lxcState(name)).toBe("STOPPED");
    expect((await containers.list()).find((row) => row.name === name)).toMatchObject({
      state: "STOPPED",
      busy: null,
    });
  });

  it("shows its own changes at once and changes made outside Atelier once the table ages", async () => {
    const containers = createContainerService({ lxc, listMaxAgeMs: 60_000 });
    const name = uniqueName("table");
    created.push(name);
    await lxc.create(name, { template: "busybox" });
    expect((await containers.list()).find((row) => row.name === name)?.state).toBe("STOPPED");

    await containers.start(name);
    expect((await containers.list()).find((row) => row.name === name)?.state).toBe("RUNNING");

    // A change from a shell is not seen until the table is re-read...
    await execa("lxc-stop", ["-P", lxcPath(), "-n", name, "-k"]);
    expect((await containers.list()).find((row) => row.name === name)?.state).toBe("RUNNING");
    await containers.reload();
    expect((await containers.list()).find((row) => row.name === name)?.state).toBe("STOPPED");

    // ...and with a short age limit, the next list re-reads it by itself.
    const fresh = createContainerService({ lxc, listMaxAgeMs: 100 });
    await fresh.list();
    await execa("lxc-start", ["-P", lxcPath(), "-n", name]);
    await vi.waitFor(async () =>
      expect((await fresh.list()).find((row) => row.name === name)?.state).toBe("RUNNING"),
    );

    await containers.destroy(name, { force: true });
    expect((await containers.list()).some((row) => row.name === name)).toBe(false);
    expect(await lxcState(name)).toBe("MISSING");
  });
});

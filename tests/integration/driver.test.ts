import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { isAppError } from "@/server/errors";
import { createLxcDriver } from "@/server/lxc";
import { forceDestroy, lxcPath, lxcState, uniqueName } from "../lxc-oracle";

const lxc = createLxcDriver({ lxcPath: lxcPath(), containerConfig: process.env.ATELIER_CONTAINER_CONFIG });
const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.map(forceDestroy));
});

const make = async (prefix: string) => {
  const name = uniqueName(prefix);
  created.push(name);
  await lxc.create(name, { template: "busybox" });
  return name;
};

/** The AppError code an operation fails with. */
const failure = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error("expected the operation to fail");
};

describe("the LXC driver against real containers", () => {
  it("walks a busybox container through its whole life, each step agreeing with lxc-info", async () => {
    const name = await make("life");
    expect(await lxcState(name)).toBe("STOPPED");
    expect(await lxc.state(name)).toBe("STOPPED");

    await lxc.start(name);
    expect(await lxcState(name)).toBe("RUNNING");

    await lxc.freeze(name);
    expect(await lxcState(name)).toBe("FROZEN");

    await lxc.unfreeze(name);
    expect(await lxcState(name)).toBe("RUNNING");

    await lxc.restart(name, { timeoutSeconds: 20 });
    expect(await lxcState(name)).toBe("RUNNING");

    await lxc.stop(name, { timeoutSeconds: 20 });
    expect(await lxcState(name)).toBe("STOPPED");

    await lxc.destroy(name);
    expect(await lxcState(name)).toBe("MISSING");
    expect(await lxc.exists(name)).toBe(false);
  });

  it("refuses operations that do not fit the state, saying what to do", async () => {
    const name = await make("state");
    expect(await failure(lxc.stop(name))).toMatchObject({
      code: "PRECONDITION_FAILED",
      hint: "Nothing to do.",
    });
    expect(await failure(lxc.freeze(name))).toMatchObject({
      code: "PRECONDITION_FAILED",
      hint: "Start it first.",
    });
    await lxc.start(name);
    // lxc-start exits 0 on a running container: Atelier must not report that as a start.
    expect(await failure(lxc.start(name))).toMatchObject({ code: "PRECONDITION_FAILED" });
    const refused = await failure(lxc.destroy(name));
    expect(refused.code).toBe("PRECONDITION_FAILED");
    expect(refused.hint).toMatch(/Stop it first/);
    expect(await lxcState(name)).toBe("RUNNING");
    await lxc.destroy(name, { force: true });
    expect(await lxcState(name)).toBe("MISSING");
  });

  it("stops a frozen container gracefully, and force-stops at once", async () => {
    const frozen = await make("frozen");
    await lxc.start(frozen);
    await lxc.freeze(frozen);
    await lxc.stop(frozen, { timeoutSeconds: 20 });
    expect(await lxcState(frozen)).toBe("STOPPED");

    await lxc.start(frozen);
    await lxc.stop(frozen, { force: true });
    expect(await lxcState(frozen)).toBe("STOPPED");
  });

  it("creates busybox containers whose init halts on the stop signal (no 60 s wait, no kill)", async () => {
    const name = await make("halt");
    expect(await readFile(path.join(lxcPath(), name, "rootfs/etc/init.d/rcS"), "utf8")).toContain(
      "udhcpc -b -q",
    );
    await lxc.start(name);
    // --nokill: lxc-stop exits 1 and leaves the container running if init ignores the signal (the stock rcS does).
    const stopped = await execa("lxc-stop", ["-P", lxcPath(), "-n", name, "--nokill", "-t", "20"], {
      reject: false,
    });
    expect(stopped.exitCode).toBe(0);
    expect(await lxcState(name)).toBe("STOPPED");
  });

  it("lists every container with state, addresses, autostart and groups in one call", async () => {
    const name = await make("listed");
    await appendFile(
      path.join(lxcPath(), name, "config"),
      "lxc.net.0.ipv4.address = 10.213.0.77/24\nlxc.start.auto = 1\nlxc.group = web\nlxc.group = onboot\n",
    );
    await lxc.start(name);
    const row = (await lxc.list()).find((entry) => entry.name === name);
    expect(row).toMatchObject({
      state: "RUNNING",
      ipv4: ["10.213.0.77"],
      autostart: true,
      groups: ["web", "onboot"],
      unprivileged: false,
    });
    expect(row?.pid).toBeGreaterThan(1);
    const info = await lxc.info(name);
    expect(info.pid).toBe(row?.pid);
    expect(await lxc.get(name)).toMatchObject({
      name,
      state: "RUNNING",
      configPath: path.join(lxcPath(), name, "config"),
    });
  });

  it("reports a missing container as NOT_FOUND and a taken name as CONFLICT", async () => {
    expect(await failure(lxc.start("no-such-container"))).toMatchObject({ code: "NOT_FOUND" });
    expect(await failure(lxc.get("no-such-container"))).toMatchObject({ code: "NOT_FOUND" });
    const name = await make("taken");
    expect(await failure(lxc.create(name, { template: "busybox" }))).toMatchObject({ code: "CONFLICT" });
  });

  it("explains why a container with a snapshot cannot be destroyed", async () => {
    const name = await make("snap");
    const snapshot = await execa("lxc-snapshot", ["-P", lxcPath(), "-n", name, "-l", "ERROR"], {
      reject: false,
    });
    expect(snapshot.exitCode).toBe(0);
    const refused = await failure(lxc.destroy(name));
    expect(refused).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(refused.message).toMatch(/1 snapshot\(s\): snap0/);
    expect(await lxcState(name)).toBe("STOPPED");
    await execa("lxc-snapshot", ["-P", lxcPath(), "-n", name, "-d", "snap0"]);
    await lxc.destroy(name);
    expect(await lxcState(name)).toBe("MISSING");
  });

  it("explains why a container with snapshot clones cannot be destroyed", async () => {
    const base = await make("base");
    const clone = uniqueName("clone");
    created.push(clone);
    await execa("lxc-copy", ["-P", lxcPath(), "-n", base, "-N", clone, "-s", "-l", "ERROR"]);
    const refused = await failure(lxc.destroy(base));
    expect(refused).toMatchObject({ code: "PRECONDITION_FAILED", hint: "Destroy those clones first." });
    expect(refused.message).toContain(clone);
    expect(await lxcState(base)).toBe("STOPPED");
    await lxc.destroy(clone);
    await lxc.destroy(base);
    expect(await lxcState(base)).toBe("MISSING");
  });

  it("says what to do when the container's bridge does not exist", async () => {
    const name = await make("nobridge");
    const config = path.join(lxcPath(), name, "config");
    const text = await readFile(config, "utf8");
    await execa("sed", ["-i", "s/^lxc.net.0.link = .*/lxc.net.0.link = nosuchbr0/", config]);
    expect(text).toContain("lxc.net.0.link");
    const refused = await failure(lxc.start(name));
    expect(refused.code).toBe("LXC_FAILED");
    expect(refused.hint).toMatch(/bridge "nosuchbr0" does not exist/);
    expect(await lxcState(name)).toBe("STOPPED");
  });
});

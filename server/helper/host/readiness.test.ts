import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TIdPool } from "../../schemas/idmap";
import { bridgeCheck, monitordCheck, spaceCheck } from "./readiness";

/** The checks that read a config file and a filesystem, on files of the test's own (read-only otherwise). */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "atelier-readiness-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const idPool: TIdPool = { first: 1000000, slots: 1000 };
const withConfig = async (text: string) => {
  const containerConfig = path.join(dir, "default.conf");
  await writeFile(containerConfig, text);
  return bridgeCheck({ lxcPath: dir, hostRoot: dir, containerConfig, idPool });
};

describe("bridgeCheck", () => {
  it("reads the last lxc.net.0.link, and says what to do when it is missing", async () => {
    const check = await withConfig(
      "lxc.net.0.type = veth\nlxc.net.0.link = lo\nlxc.net.0.link = atnosuch0\nlxc.net.0.flags = up\n",
    );
    expect(check).toMatchObject({
      status: "problem",
      seen: "atnosuch0",
      params: { state: "missing", bridge: "atnosuch0" },
      fix: { kind: "command", text: "ip link add name atnosuch0 type bridge && ip link set atnosuch0 up" },
      safeFix: null,
    });
  });

  it("a veth needs a bridge: an interface that is not one is a problem", async () => {
    expect((await withConfig("lxc.net.0.type = veth\nlxc.net.0.link = lo\n")).params.state).toBe("notBridge");
  });

  it("names lxc-net's setting for Debian's lxcbr0", async () => {
    const check = await withConfig("lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\n");
    if (check.params.state === "missing")
      expect(check.fix).toEqual({
        kind: "line",
        text: 'USE_LXC_BRIDGE="true"',
        file: "/etc/default/lxc-net",
      });
  });

  it("takes no name that is not an interface's, nor a path", async () => {
    for (const link of ["..", "a/b", "x".repeat(16), "a b"])
      expect((await withConfig(`lxc.net.0.type = veth\nlxc.net.0.link = ${link}\n`)).params.state).toBe(
        "badName",
      );
  });

  it("is only a note without a network, and a warning without a config", async () => {
    expect(await withConfig("lxc.net.0.type = empty\n")).toMatchObject({ status: "info" });
    const missing = await bridgeCheck({
      lxcPath: dir,
      hostRoot: dir,
      containerConfig: path.join(dir, "nothing.conf"),
      idPool,
    });
    expect(missing).toMatchObject({ status: "warning", params: { state: "noConfig" } });
  });
});

describe("spaceCheck", () => {
  it("measures the lxcpath's filesystem, and gives the command when it does not exist", async () => {
    const here = await spaceCheck(dir);
    expect(Number(here.params.total)).toBeGreaterThan(0);
    expect(here.seen).toMatch(/GiB free of .* GiB/);
    const none = await spaceCheck(path.join(dir, "no-such-lxcpath"));
    expect(none).toMatchObject({
      status: "problem",
      fix: { kind: "command", text: `mkdir -p ${path.join(dir, "no-such-lxcpath")}` },
    });
  });
});

describe("monitordCheck", () => {
  /** A process whose command line is lxc-monitord's for `dir` (flock holds on while its sleep runs), in a group of its own. */
  const pretender = (wrapper: string[]) => {
    const child = execa(
      wrapper[0] ?? "",
      [...wrapper.slice(1), "bash", "-c", `exec -a lxc-monitord flock ${dir} sleep 30`],
      { stdio: "ignore", detached: true },
    );
    // Killed at the end of the test: its failure is expected.
    child.catch(() => undefined);
    return child;
  };
  const stop = (group: number | undefined) => {
    try {
      if (group) process.kill(-group, "SIGKILL");
    } catch {
      // Gone already.
    }
  };
  const until = async (test: () => Promise<boolean>) => {
    for (let tries = 0; tries < 100 && !(await test()); tries += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const hasPretender = async () => {
    for (const entry of await readdir("/proc").catch(() => [] as string[]))
      if (
        (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).startsWith(
          `lxc-monitord\0${dir}\0`,
        )
      )
        return true;
    return false;
  };

  it("takes no process of another process namespace (a container's) for lxc-monitord, whatever its command line", async () => {
    // A container's root names its processes as it likes: here one in a process namespace of its own.
    const other = pretender(["unshare", "--pid", "--fork", "--kill-child"]);
    try {
      await until(hasPretender);
      expect(await hasPretender()).toBe(true);
      expect(await monitordCheck(dir)).toMatchObject({ status: "info", params: { state: "stopped" } });
    } finally {
      stop(other.pid);
    }
    // The same command line in the host's namespace, as root: the check finds it.
    await until(async () => !(await hasPretender()));
    const own = pretender(["env"]);
    try {
      await until(hasPretender);
      expect(await monitordCheck(dir)).toMatchObject({ status: "ok", params: { state: "running" } });
    } finally {
      stop(own.pid);
    }
  });
});

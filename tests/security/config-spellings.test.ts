import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { lxcPath } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { configOf, createBusybox } from "./helpers";

/**
 * Issue #20's table, in other spellings than the issue's: each line below reached host root through an operator's
 * config.save on the code before 7ad2a9c (the reader split lines on \n only, kept quotes, and judged keys with a
 * deny-list), and liblxc 5 reads it as the issue says. For each row: the operator's save is refused (403, the
 * refusal names the line) and the file on disk is unchanged; then the same text, written by an admin (or directly
 * on disk where our validation refuses it even for an admin), and a real start show what liblxc makes of it: a file
 * written on the host as root, or the container keeping cap_sys_module in its bounding set.
 */
const server = useServer({
  hostDir: true,
  beforeStart: ({ hostDir }) => {
    // liblxc turns the dots of an lxc.proc key into slashes: the host paths below must have none.
    expect(hostDir).not.toContain(".");
  },
});
const { hostDir, made } = server;
const configFile = (name: string) => path.join(lxcPath(), name, "config");
const CAP_SYS_MODULE = 1n << 16n;

/**
 * Privileged containers (an admin's): the spellings under test reach host root there, where no id map holds them
 * back; an operator still writes in them.
 */
const busybox = async () => {
  const name = await createBusybox(server, undefined, { privileged: true });
  made.push(name);
  return name;
};

/** The 1-based line (as split on \n) where `needle` starts. */
const lineOf = (text: string, needle: string) => {
  const at = text.indexOf(needle);
  expect(at, needle).toBeGreaterThanOrEqual(0);
  return text.slice(0, at).split("\n").length;
};

type TProblem = { line: number; message: string };

/**
 * An operator's config.save of `raw` is refused with 403, naming line `line` (in the message or, when an earlier
 * line is refused as well, among the problems, each with its line) with a reason matching `reason`; the file on disk
 * is what it was.
 */
const refusedForOperator = async (name: string, raw: string, line: number, reason: RegExp) => {
  const before = await configOf(server, name);
  const response = await callProcedure(server, "config.save", { name, raw, baseVersion: before.version });
  expect(response.status, JSON.stringify(response.error)).toBe(403);
  expect(response.error?.message).toMatch(/^Nothing was written: .*line \d+.* needs the admin role/);
  const problems = (response.error?.data as { problems?: TProblem[] } | undefined)?.problems ?? [];
  const named = problems.filter((problem) => problem.line === line);
  expect(named.length, JSON.stringify(problems)).toBeGreaterThan(0);
  expect(named.map((problem) => problem.message).join(" ")).toMatch(reason);
  expect(await readFile(configFile(name), "utf8")).toBe(before.raw);
};

const saveAsAdmin = async (name: string, edit: (raw: string) => string) => {
  const before = await configOf(server, name, "admin");
  const response = await callProcedure(
    server,
    "config.save",
    { name, raw: edit(before.raw), baseVersion: before.version },
    { as: "admin" },
  );
  expect(response.status, JSON.stringify(response.error)).toBe(200);
};

/** Starts the container (as an admin), runs `look` while it runs, and always stops it. */
const whileRunning = async <T>(name: string, look: () => Promise<T>) => {
  const started = await callProcedure(server, "containers.start", { name }, { as: "admin" });
  try {
    expect(started.status, JSON.stringify(started.error)).toBe(200);
    return await look();
  } finally {
    await callProcedure(server, "containers.stop", { name, force: true }, { as: "admin" });
  }
};

/** A start and a stop: what liblxc does at start (hooks, /proc writes) happens in between. */
const startAndStop = (name: string) => whileRunning(name, () => Promise.resolve());

const attach = (name: string, argv: string[]) =>
  execa("lxc-attach", ["-P", lxcPath(), "-n", name, "--", ...argv], { reject: false, timeout: 20_000 });

/** The bounding set of the container's init, read inside it. */
const capBnd = async (name: string) => {
  const status = await attach(name, ["cat", "/proc/1/status"]);
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status.stdout)?.[1];
  expect(hex, status.stderr).toBeDefined();
  return BigInt(`0x${hex}`);
};

/** A file the test expects root to write on the host: its directory exists, it does not (yet). */
const canary = async (label: string) => {
  const file = path.join(hostDir, label);
  await rm(file, { force: true });
  return file;
};

describe("config lines an operator may not write, in other spellings than issue #20's", () => {
  it("lxc.proc.<path> through /proc/PID/root and /proc/PID/cwd, with tabs and quotes: refused; an admin's writes the host files at start", async () => {
    const name = await busybox();
    const rooted = await canary("proc-root");
    const cwd = await canary("proc-cwd");
    const { raw } = await configOf(server, name);
    for (const line of [
      `lxc.proc.root${rooted}\t=\t"written-by-liblxc"`,
      `  lxc.proc.root${rooted}='written-by-liblxc'`,
      // The container's init still has the host's / as its working directory when liblxc writes.
      `lxc.proc.cwd${cwd} = written-by-liblxc`,
    ]) {
      const text = `${raw}${line}\n`;
      await refusedForOperator(name, text, lineOf(text, line), /writes a \/proc file from the host/);
    }
    await startAndStop(name);
    await expect(readFile(rooted, "utf8")).rejects.toThrow(/ENOENT/);

    await saveAsAdmin(
      name,
      (current) =>
        `${current}lxc.proc.root${rooted}\t=\t"written-by-liblxc"\nlxc.proc.cwd${cwd} = written-by-liblxc\n`,
    );
    await startAndStop(name);
    expect(await readFile(rooted, "utf8")).toBe("written-by-liblxc");
    expect(await readFile(cwd, "utf8")).toBe("written-by-liblxc");
  });

  it("a distribution's userns file, quoted or after an id map cleared again, in a privileged container: refused; an admin's keeps cap_sys_module in the bounding set", async () => {
    const name = await busybox();
    const { raw } = await configOf(server, name);
    for (const [text, line] of [
      [
        "lxc.include = /usr/share/lxc/config/debian.userns.conf",
        "lxc.include = /usr/share/lxc/config/debian",
      ],
      ['lxc.include\t=\t"/usr/share/lxc/config/fedora.userns.conf"', "lxc.include\t"],
      [
        "lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\nlxc.include = '/usr/share/lxc/config/userns.conf'\nlxc.idmap =",
        "lxc.include = '",
      ],
    ] as const) {
      const candidate = `${raw}${text}\n`;
      await refusedForOperator(
        name,
        candidate,
        lineOf(candidate, line),
        /userns files clear the dropped capabilities|included file can hold any key/,
      );
    }
    expect((await whileRunning(name, () => capBnd(name))) & CAP_SYS_MODULE).toBe(0n);
    await saveAsAdmin(
      name,
      (current) => `${current}lxc.include = /usr/share/lxc/config/debian.userns.conf\n`,
    );
    expect((await whileRunning(name, () => capBnd(name))) & CAP_SYS_MODULE).toBe(CAP_SYS_MODULE);
  });

  it("a carriage return inside a line (CRLF plus a lone CR, a CR-only file, after an allowed key, after a tabbed comment): refused; on disk, liblxc runs the hook as root", async () => {
    const name = await busybox();
    const hooked = await canary("cr-hook");
    const { raw } = await configOf(server, name);
    const hook = (key: string) => `${key} = /bin/sh -c "id > ${hooked}"`;
    const crlf = `${raw.replaceAll("\n", "\r\n")}lxc.tty.max = 2\r${hook("lxc.hook.start-host")}\r\n`;
    for (const candidate of [
      crlf,
      `${raw}lxc.group\t=\tweb\r${hook("lxc.hook.mount")}\n`,
      `${raw}\t#\tnote\r${hook("lxc.hook.pre-start")}\n`,
    ])
      await refusedForOperator(name, candidate, lineOf(candidate, "lxc.hook"), /carriage return/);
    // Every line ends with \r alone: one line to a \n reader (the old one saw a comment), line 1.
    const crOnly = `${raw.replaceAll("\n", "\r")}# a\tnote\r${hook("lxc.net.0.script.up")}\r`;
    await refusedForOperator(name, crOnly, 1, /carriage return/);

    // Our validation refuses these for an admin too: written on disk, as a hand edit would.
    await writeFile(configFile(name), crlf);
    try {
      await startAndStop(name);
      expect(await readFile(hooked, "utf8")).toMatch(/^uid=0\(root\)/);
    } finally {
      await writeFile(configFile(name), raw);
    }
  });

  it("a NUL byte in a comment before the dropped capabilities: refused by the API; on disk, liblxc stops reading there and the container keeps cap_sys_module", async () => {
    const name = await busybox();
    const { raw } = await configOf(server, name);
    const drop = /^lxc\.cap\.drop = .*\n/m.exec(raw)?.[0];
    expect(drop).toBeDefined();
    // The dropped capabilities moved to the end (still all there for a \n reader), behind a NUL.
    const hidden = `${raw.replace(drop ?? "", "")}# moved\0\n${drop}`;
    // Refused at the API's door (ZConfigText), before any privilege rule: this was so before #20 too.
    const before = await configOf(server, name);
    const refused = await callProcedure(server, "config.save", {
      name,
      raw: hidden,
      baseVersion: before.version,
    });
    expect(refused.status, JSON.stringify(refused.error)).toBe(400);
    expect(refused.error?.message).toMatch(/NUL byte/);
    expect(await readFile(configFile(name), "utf8")).toBe(raw);
    await writeFile(configFile(name), hidden);
    try {
      expect((await whileRunning(name, () => capBnd(name))) & CAP_SYS_MODULE).toBe(CAP_SYS_MODULE);
    } finally {
      await writeFile(configFile(name), raw);
    }
  });

  it("lxc.cap.drop cleared with quotes (tabs, no spaces, trailing spaces, single and double): refused; an admin's keeps cap_sys_module in the bounding set", async () => {
    const name = await busybox();
    const { raw } = await configOf(server, name);
    for (const line of [
      "lxc.cap.drop\t=\t''",
      'lxc.cap.drop=""',
      "  lxc.cap.drop = ''   ",
      'lxc.cap.drop = ""\t',
    ]) {
      const text = `${raw}${line}\n`;
      await refusedForOperator(
        name,
        text,
        lineOf(text, line),
        /empty lxc\.cap\.drop clears the dropped capabilities/,
      );
    }
    await saveAsAdmin(name, (current) => `${current}lxc.cap.drop\t=\t''\n`);
    const info = await execa("lxc-info", ["-P", lxcPath(), "-n", name, "-c", "lxc.cap.drop"], {
      reject: false,
    });
    expect(info.stdout.trim()).toBe("lxc.cap.drop =");
    expect((await whileRunning(name, () => capBnd(name))) & CAP_SYS_MODULE).toBe(CAP_SYS_MODULE);
  });

  it("interface scripts as lxc.net.00 and quoted: refused; on disk, lxc.net.00.script.up runs as root at start", async () => {
    const name = await busybox();
    const script = await canary("net00");
    const { raw } = await configOf(server, name);
    const net00 = `lxc.net.00.script.up = /bin/sh -c "id > ${script}"`;
    for (const line of [
      net00,
      `lxc.net.0.script.up\t=\t"/bin/sh -c 'id > ${script}'"`,
      `lxc.net.0.script.down = '/bin/true'`,
    ]) {
      const text = `${raw}${line}\n`;
      await refusedForOperator(name, text, lineOf(text, line), /interface script runs as root on the host/);
    }
    // liblxc reads index 00 as interface 0 (our validation does not: it wants lxc.net.00.type), so on disk.
    await writeFile(configFile(name), `${raw}${net00}\n`);
    try {
      await startAndStop(name);
      expect(await readFile(script, "utf8")).toMatch(/^uid=0\(root\)/);
    } finally {
      await writeFile(configFile(name), raw);
    }
  });

  it("mount entries with remount, a propagation change, or an option liblxc reads as bind by its prefix: refused; an admin's `bindx` with a relative source binds a host directory read-write", async () => {
    const name = await busybox();
    const shared = path.join(hostDir, "shared");
    await mkdir(shared, { recursive: true });
    await chmod(shared, 0o755);
    await writeFile(path.join(shared, "marker"), "host directory");
    await rm(path.join(shared, "from-container"), { force: true });
    const { raw } = await configOf(server, name);
    // liblxc takes an option that starts with "bind" as bind, and a relative bind source from the rootfs, with `..`.
    const climbing = `lxc.mount.entry = ../../../../../../../../../../..${shared} mnt tmpfs bindx,create=dir 0 0`;
    for (const line of [
      climbing,
      "lxc.mount.entry = proc/sys proc/sys tmpfs bindx,remount,rw 0 0",
      "lxc.mount.entry = tmpfs sys tmpfs remount,rw 0 0",
      "lxc.mount.entry\t=\tnone\tproc/sys\ttmpfs\trw,remount\t0\t0",
      "lxc.mount.entry = tmpfs mnt tmpfs defaults,rshared,create=dir 0 0",
    ]) {
      const text = `${raw}${line}\n`;
      await refusedForOperator(
        name,
        text,
        lineOf(text, line),
        /the mount options .* are the admin's|create= makes the mount point/,
      );
    }
    await saveAsAdmin(name, (current) => `${current}${climbing}\n`);
    const seen = await whileRunning(name, async () => {
      const listing = await attach(name, ["cat", "/mnt/marker"]);
      await attach(name, ["sh", "-c", "echo written-inside > /mnt/from-container"]);
      return listing.stdout;
    });
    expect(seen).toBe("host directory");
    expect(await readFile(path.join(shared, "from-container"), "utf8")).toBe("written-inside\n");
  });

  it("lxc.environment in a config with an admin's mount hook (LD_PRELOAD, a quoted PATH): refused; an admin's PATH makes the hook run the test's program as root", async () => {
    const name = await busybox();
    const proof = await canary("env-proof");
    const bin = path.join(hostDir, "bin");
    await mkdir(bin, { recursive: true });
    await chmod(bin, 0o755);
    // The hook calls `id` by name: with the container's PATH first, this one runs, as root, on the host's side.
    await writeFile(path.join(bin, "id"), `#!/bin/sh\necho "$(/usr/bin/id -u)" > ${proof}\n`, {
      mode: 0o755,
    });
    await saveAsAdmin(name, (current) => `${current}lxc.hook.mount = /bin/sh -c "id > /dev/null"\n`);
    const { raw } = await configOf(server, name);
    const pathLine = `lxc.environment\t=\t"PATH=${bin}:/usr/sbin:/usr/bin:/sbin:/bin"`;
    for (const line of [`lxc.environment = LD_PRELOAD=${lxcPath()}/${name}/rootfs/tmp/x.so`, pathLine]) {
      const text = `${raw}${line}\n`;
      await refusedForOperator(
        name,
        text,
        lineOf(text, line),
        /this config has a hook|changes what a program run with it does/,
      );
    }
    await startAndStop(name);
    await expect(readFile(proof, "utf8")).rejects.toThrow(/ENOENT/);
    await saveAsAdmin(name, (current) => `${current}${pathLine}\n`);
    await startAndStop(name);
    expect(await readFile(proof, "utf8")).toBe("0\n");
  });
});

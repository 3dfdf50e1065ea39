import { existsSync } from "node:fs";
import { chmod, lstat, mkdir, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { lxcPath, uniqueName } from "../lxc-oracle";
import { useServer } from "../use-server";
import { createBusybox, createThroughApi, snapshotTree } from "./helpers";

/**
 * A container's own files never run on the host, and no write Atelier makes into a root filesystem follows the
 * guest's symlinks out of it. Clone sources are shaped as a hostile guest would: programs Atelier might call
 * (chpasswd) replaced by scripts that leave a canary on the host, and every path Atelier writes (root, root/.ssh,
 * etc/shadow, etc/init.d/rcS, etc/network) made a link to a directory standing for the host.
 */
const server = useServer({ hostDir: true });
const { hostDir, made } = server;
const rootfsOf = (name: string) => path.join(lxcPath(), name, "rootfs");

beforeAll(async () => {
  for (const dir of ["rootdir", "ssh", "network"]) await mkdir(path.join(hostDir, dir));
  await writeFile(path.join(hostDir, "ssh/authorized_keys"), "the host's own key\n", { mode: 0o600 });
  await writeFile(path.join(hostDir, "shadow"), "root:host-hash:1::::::\n", { mode: 0o600 });
  await writeFile(path.join(hostDir, "rcS"), "#!/bin/sh\necho host\n", { mode: 0o700 });
  await writeFile(path.join(hostDir, "network/interfaces"), "auto eth9\n");
});

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAtelierSecurityTestKey test@atelier";

/** A script that, if anything ever runs it on the host, says so in the host directory. */
const plantProgram = async (rootfs: string, relative: string) => {
  const file = path.join(rootfs, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\nid > ${hostDir}/ran-${relative.replaceAll("/", "_")}\ncat > /dev/null\n`);
  await chmod(file, 0o755);
};

/** A busybox source container whose paths are links to the host stand-in (and, with `debian`, that looks Debian). */
const hostileSource = async (links: Record<string, string>, debian = false, privileged = false) => {
  const name = await createBusybox(server, uniqueName("evil"), { privileged });
  made.push(name);
  const rootfs = rootfsOf(name);
  for (const program of ["usr/sbin/chpasswd", "sbin/chpasswd", "bin/chpasswd", "usr/bin/chpasswd"])
    await plantProgram(rootfs, program);
  if (debian) await writeFile(path.join(rootfs, "etc/debian_version"), "12.0\n");
  for (const [at, target] of Object.entries(links)) {
    await rm(path.join(rootfs, at), { recursive: true, force: true });
    await mkdir(path.dirname(path.join(rootfs, at)), { recursive: true });
    await symlink(target, path.join(rootfs, at));
  }
  return name;
};

const clone = async (
  source: string,
  { rootfs = {}, ...rest }: { rootfs?: Record<string, unknown> } & Record<string, unknown>,
) => {
  const name = uniqueName("victim");
  made.push(name);
  // A snapshot clone (overlay) cannot be mounted idmapped: an admin's privileged one.
  const overlay = rootfs.snapshot === true;
  const result = await createThroughApi(
    server,
    { name, rootfs: { kind: "clone", source, ...rootfs }, ...rest, ...(overlay ? { privileged: true } : {}) },
    overlay ? "admin" : "operator",
  );
  return { ...result, name };
};

describe("writes into a root filesystem", () => {
  it("follow none of the guest's links out of it, and run none of its programs (full clone)", async () => {
    const before = await snapshotTree(hostDir);
    const source = await hostileSource({
      root: path.join(hostDir, "rootdir"),
      "etc/shadow": path.join(hostDir, "shadow"),
      "etc/init.d/rcS": `../../../../../../../../../../${hostDir}/rcS`,
    });
    const result = await clone(source, { access: { rootPassword: "a-root-password", sshKey: KEY } });
    expect(result.job?.state, result.job?.log.slice(-10).join("\n")).toBe("succeeded");
    expect(await snapshotTree(hostDir)).toEqual(before);
    // What was written landed inside the clone's rootfs, as regular files where the links were.
    const rootfs = rootfsOf(result.name);
    const shadow = await readFile(path.join(rootfs, "etc/shadow"), "utf8");
    expect(shadow).toMatch(/^root:\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}:\d+:/m);
    expect((await lstat(path.join(rootfs, "etc/shadow"))).isFile()).toBe(true);
    // rcS names the host's file: followed inside the rootfs it names nothing, so it is left as the guest made it.
    expect(await readlink(path.join(rootfs, "etc/init.d/rcS"))).toContain(`${hostDir}/rcS`);
    // root -> the host's dir, followed inside the rootfs: the key is in <rootfs><hostDir>/rootdir/.ssh.
    const inside = path.join(rootfs, hostDir, "rootdir/.ssh/authorized_keys");
    expect(await readFile(inside, "utf8")).toBe(`${KEY}\n`);
    expect((await stat(path.dirname(inside))).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(hostDir, "rootdir/.ssh"))).toBe(false);
  });

  it("do the same for a Debian-looking guest's network file and an SSH directory that climbs out", async () => {
    const before = await snapshotTree(hostDir);
    const source = await hostileSource(
      {
        "etc/network": path.join(hostDir, "network"),
        "root/.ssh": `../../../../../../../../../../../..${hostDir}/ssh`,
      },
      true,
    );
    const result = await clone(source, {
      network: { bridge: "atbr0", mode: "static", ipv4: "10.213.0.91/24", gateway: "10.213.0.1" },
      access: { rootPassword: "a-root-password", sshKey: KEY },
    });
    expect(result.job?.state, result.job?.log.slice(-10).join("\n")).toBe("succeeded");
    expect(await snapshotTree(hostDir)).toEqual(before);
    const rootfs = rootfsOf(result.name);
    expect(await readFile(path.join(rootfs, hostDir, "network/interfaces"), "utf8")).toContain(
      "iface eth0 inet manual",
    );
    expect(await readFile(path.join(rootfs, hostDir, "ssh/authorized_keys"), "utf8")).toBe(`${KEY}\n`);
  });

  it("into an overlay clone's upper layer follow none of the lower layer's links", async () => {
    const before = await snapshotTree(hostDir);
    // lxc-copy cannot overlay an idmapped rootfs: a privileged source, an admin's privileged snapshot clone.
    const source = await hostileSource({ root: path.join(hostDir, "rootdir") }, false, true);
    const result = await clone(source, { rootfs: { snapshot: true }, access: { sshKey: KEY } });
    expect(result.job?.state, result.job?.log.slice(-10).join("\n")).toBe("succeeded");
    expect(await snapshotTree(hostDir)).toEqual(before);
  });

  it("set a root password without running anything of the guest's (no canary on the host)", async () => {
    const source = await hostileSource({});
    const result = await clone(source, { access: { rootPassword: "another-password" } });
    expect(result.job?.state).toBe("succeeded");
    const canaries = (await execa("ls", [hostDir])).stdout
      .split("\n")
      .filter((name) => name.startsWith("ran-"));
    expect(canaries).toEqual([]);
    // The planted programs work when run: the canary would have shown.
    await execa(path.join(rootfsOf(source), "usr/sbin/chpasswd"), { input: "x" });
    expect(existsSync(path.join(hostDir, "ran-usr_sbin_chpasswd"))).toBe(true);
    await rm(path.join(hostDir, "ran-usr_sbin_chpasswd"));
  });
});

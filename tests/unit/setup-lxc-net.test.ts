import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

/**
 * scripts/lib/setup.sh's allow_lxc_net_in_container: Debian's lxc-net.service is skipped in an LXC container
 * (ConditionVirtualization=!lxc), so on a host that is one, a drop-in resets that condition. Run in bash with fake
 * `systemd-detect-virt` and `systemctl` first on PATH, the drop-in in a temporary directory.
 */
const setup = path.resolve(import.meta.dirname, "../../scripts/lib/setup.sh");

const run = async (virt: string, existing?: string) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "atelier-setup-lxc-net-"));
  try {
    const fakes = path.join(dir, "fakes");
    await mkdir(fakes);
    const fake = async (name: string, body: string) => {
      await writeFile(path.join(fakes, name), `#!/bin/sh\n${body}\n`);
      await chmod(path.join(fakes, name), 0o755);
    };
    await fake("systemd-detect-virt", `echo ${virt}`);
    await fake("systemctl", `echo "$*" >>"${dir}/systemctl.log"`);
    const dropIn = path.join(dir, "lxc-net.service.d", "atelier-in-container.conf");
    if (existing !== undefined) {
      await mkdir(path.dirname(dropIn));
      await writeFile(dropIn, existing);
    }
    const result = await execa("bash", ["-c", `source "${setup}" && allow_lxc_net_in_container`], {
      env: { PATH: `${fakes}:${process.env.PATH ?? ""}`, ATELIER_LXC_NET_DROP_IN: dropIn },
      reject: false,
    });
    return {
      exitCode: result.exitCode,
      dropIn: await readFile(dropIn, "utf8").catch(() => null),
      systemctl: await readFile(path.join(dir, "systemctl.log"), "utf8").catch(() => ""),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

describe("setup.sh: lxc-net in an LXC container", () => {
  it("resets lxc-net's conditions with a drop-in when the host is an LXC container", async () => {
    const { exitCode, dropIn, systemctl } = await run("lxc");
    expect(exitCode).toBe(0);
    expect(dropIn).toMatch(/^\[Unit\]\nConditionVirtualization=\n$/m);
    expect(systemctl).toBe("daemon-reload\n");
  });

  it("leaves any other host, and a drop-in already there, as they are", async () => {
    for (const virt of ["none", "docker", "systemd-nspawn"]) {
      const { exitCode, dropIn, systemctl } = await run(virt);
      expect(exitCode).toBe(0);
      expect(dropIn).toBeNull();
      expect(systemctl).toBe("");
    }
    const kept = await run("lxc", "# the admin's\n");
    expect(kept.dropIn).toBe("# the admin's\n");
    expect(kept.systemctl).toBe("");
  });
});

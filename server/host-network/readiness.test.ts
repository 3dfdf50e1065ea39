import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTranslator } from "use-intl/core";
import { inEnglish } from "../i18n/english";
import { MESSAGES } from "../i18n/messages";
import { checkReadiness } from "./readiness";

/** Host layouts written to a temporary directory laid out like /. */
/** Every layout a test made (some make several): all removed after it. */
const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});
const host = async (files: Record<string, string>) => {
  const root = await mkdtemp(path.join(os.tmpdir(), "atelier-readiness-"));
  roots.push(root);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return root;
};
const statusOf = async (files: Record<string, string>) =>
  Object.fromEntries((await checkReadiness(await host(files))).map((check) => [check.id, check.status]));

describe("host readiness for LXC's veths", () => {
  it("is fine on a host with no network manager (these machines)", async () => {
    expect(await statusOf({})).toEqual({
      "network-manager": "ok",
      "udev-persistent-net": "ok",
      "systemd-networkd": "ok",
    });
  });

  it("warns about NetworkManager until it is told to leave veths alone, and says how", async () => {
    const running = { "run/NetworkManager/NetworkManager.pid": "1" };
    const checks = await checkReadiness(await host(running));
    expect(checks[0]).toMatchObject({
      status: "warning",
      fix: expect.stringContaining("unmanaged-devices=interface-name:veth*") as unknown,
    });
    expect(
      await statusOf({
        ...running,
        "etc/NetworkManager/conf.d/90-lxc.conf": "[keyfile]\nunmanaged-devices=interface-name:veth*\n",
      }),
    ).toMatchObject({ "network-manager": "ok" });
  });

  it("warns about udev's persistent-net generator and veth rules (the seed tutorial's trouble)", async () => {
    expect(
      await statusOf({ "lib/udev/rules.d/75-persistent-net-generator.rules": "# generator" }),
    ).toMatchObject({
      "udev-persistent-net": "warning",
    });
    expect(
      await statusOf({
        "etc/udev/rules.d/70-persistent-net.rules":
          'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="fe:12:34:56:78:9a", NAME="veth0"\n',
      }),
    ).toMatchObject({ "udev-persistent-net": "warning" });
    expect(
      await statusOf({
        "lib/udev/rules.d/75-persistent-net-generator.rules": "# generator",
        "etc/udev/rules.d/75-persistent-net-generator.rules": "",
      }),
    ).toMatchObject({ "udev-persistent-net": "ok" });
  });

  it("warns about a systemd-networkd .network file that matches every interface", async () => {
    const running = { "run/systemd/netif/links/2": "" };
    expect(
      await statusOf({
        ...running,
        "etc/systemd/network/80-all.network": "[Match]\nName=*\n[Network]\nDHCP=yes\n",
      }),
    ).toMatchObject({
      "systemd-networkd": "warning",
    });
    expect(
      await statusOf({ ...running, "etc/systemd/network/80-en.network": "[Match]\nName=en*\n" }),
    ).toMatchObject({
      "systemd-networkd": "ok",
    });
  });

  it("says what it saw and the fix in English from the catalogue, with the words the pages word it from", async () => {
    const layouts: Record<string, string>[] = [
      {},
      { "run/NetworkManager/NetworkManager.pid": "1" },
      {
        "run/NetworkManager/NetworkManager.pid": "1",
        "etc/NetworkManager/conf.d/90-lxc.conf": "[keyfile]\nunmanaged-devices=interface-name:veth*\n",
      },
      { "lib/udev/rules.d/75-persistent-net-generator.rules": "# generator" },
      { "etc/udev/rules.d/70-persistent-net.rules": 'NAME="veth0"\nNAME="veth1"\n' },
      { "run/systemd/netif/links/2": "" },
      {
        "run/systemd/netif/links/2": "",
        "etc/systemd/network/80-all.network": "[Match]\nName=*\n",
        "etc/systemd/network/81-veth.network": "[Match]\nName=veth*\n",
      },
    ];
    for (const files of layouts)
      for (const check of await checkReadiness(await host(files))) {
        expect(inEnglish(check.detailWords)).toBe(check.detail);
        expect(check.fixWords && inEnglish(check.fixWords)).toBe(check.fix);
      }
    const [, udev, networkd] = await checkReadiness(
      await host({
        "etc/udev/rules.d/70-persistent-net.rules": 'NAME="veth0"\nNAME="veth1"\n',
        "run/systemd/netif/links/2": "",
        "etc/systemd/network/80-all.network": "[Match]\nName=*\n",
      }),
    );
    // The English as it always was.
    expect(udev?.detail).toBe("70-persistent-net.rules holds 2 rule(s) for container veths.");
    expect(networkd?.detail).toBe(
      "Running, and 80-all.network matches veth interfaces: it would configure the host side of containers' veths.",
    );
    const french = createTranslator({ locale: "fr", messages: MESSAGES.fr });
    expect(udev && french(udev.detailWords.id as never, udev.detailWords.params as never)).toBe(
      "70-persistent-net.rules contient 2 règles pour des veths de conteneurs.",
    );
  });
});

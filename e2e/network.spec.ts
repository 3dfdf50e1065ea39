import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { lxcPath } from "../tests/lxc-oracle";
import { ip, addressesOf, defaultRoute, makePeerNamespace, type TPeerNamespace } from "../tests/netns";
import { expect, test } from "./fixtures";

/**
 * The "done when", in a namespace standing in for a host: the seed's bridged setup built from the Network
 * page (NIC enslaved, address and default route moved), a deliberate mistake undone by the automatic rollback, two
 * containers attached with static addresses that reach each other, and the persisted file matching what is live.
 * `atnic2` plays the host's NIC; its other end is in a "LAN" namespace this test makes (192.0.2.1, the gateway).
 */
test.describe.configure({ mode: "serial" });
test.use({ storageState: "e2e/.auth/admin.json" });

const hostRoot = `${process.env.ATELIER_DATA_DIR ?? "/tmp"}/hostroot`;
let lan: TPeerNamespace;

test.beforeAll(async () => {
  lan = await makePeerNamespace({
    hostName: "atnic2",
    peerName: "lan2",
    hostCidr: "192.0.2.10/24",
    peerCidr: "192.0.2.1/24",
  });
  await ip("route", "replace", "default", "via", "192.0.2.1", "dev", "atnic2");
  await mkdir(path.join(hostRoot, "etc/network/interfaces.d"), { recursive: true });
  await writeFile(
    path.join(hostRoot, "etc/network/interfaces"),
    "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n",
  );
});
test.afterAll(async () => {
  await ip("link", "del", "atbr2").catch(() => undefined);
  await ip("route", "del", "default").catch(() => undefined);
  await lan?.close();
  await rm(hostRoot, { recursive: true, force: true });
});

test("an admin builds the seed's bridge, survives a mistake, attaches two containers and persists it", async ({
  page,
  createContainer,
}) => {
  test.setTimeout(180_000);
  await page.goto("/network");
  const planner = page.getByRole("region", { name: "Change the host's network" });
  const addChange = page.getByRole("form", { name: "Add a change" });

  await test.step("plan and apply the bridge: NIC enslaved, address and default route moved", async () => {
    await addChange.getByLabel("Change", { exact: true }).selectOption("bridge.create");
    await addChange.getByLabel("Bridge name", { exact: true }).fill("atbr2");
    await addChange.getByLabel("Forward delay (seconds, optional)").fill("2");
    await addChange.getByRole("button", { name: "Add to the plan" }).click();
    await addChange.getByLabel("Change", { exact: true }).selectOption("bridge.addPort");
    await addChange.getByLabel("Bridge", { exact: true }).selectOption("atbr2");
    await addChange.getByLabel("Port", { exact: true }).selectOption("atnic2");
    await expect(addChange.getByLabel("Move its addresses and default route to the bridge")).toBeChecked();
    await addChange.getByRole("button", { name: "Add to the plan" }).click();
    await expect(page.getByRole("list", { name: "Changes in this plan" }).getByRole("listitem")).toHaveText([
      /Create bridge atbr2, forward delay 2 s/,
      /Make atnic2 a port of atbr2, moving its addresses and default route to the bridge/,
    ]);
    await planner.getByRole("button", { name: "Review the plan" }).click();
    const review = page.getByRole("region", { name: "Plan review" });
    await expect(review.getByTestId("plan-steps")).toContainText("ip link set atnic2 master atbr2");
    await expect(review.getByTestId("plan-steps")).toContainText(
      "ip route replace default via 192.0.2.1 dev atbr2",
    );
    await expect(review.getByLabel("Changes to /etc/network/interfaces.d/atelier")).toContainText(
      "bridge_ports atnic2",
    );
    await review.getByRole("button", { name: /^Apply 6 commands$/ }).click();
    await expect(planner.getByRole("status")).toHaveText("Applied and persisted.");
    expect(await addressesOf("atbr2")).toEqual(["192.0.2.10/24"]);
    expect(await defaultRoute()).toMatchObject({ gateway: "192.0.2.1", dev: "atbr2" });
    await expect(page.locator('[data-bridge="atbr2"]')).toContainText("192.0.2.10/24");
    await expect(page.getByTestId("persist-sync")).toHaveText(
      "The persisted configuration matches what is live.",
    );
  });

  await test.step("a deliberate mistake is undone when nobody confirms", async () => {
    await addChange.getByLabel("Change", { exact: true }).selectOption("address.remove");
    await addChange.getByLabel("Interface", { exact: true }).selectOption("atbr2");
    await addChange.getByLabel("Address", { exact: true }).selectOption("192.0.2.10/24");
    await addChange.getByRole("button", { name: "Add to the plan" }).click();
    await planner.getByRole("button", { name: "Review the plan" }).click();
    const review = page.getByRole("region", { name: "Plan review" });
    await expect(review).toContainText("also removes the default route via 192.0.2.1");
    await review.getByLabel("Roll back automatically unless I confirm").check();
    await review.getByLabel("Seconds to confirm").fill("8");
    await review.getByRole("button", { name: /^Apply 1 command$/ }).click();
    const pending = page.getByTestId("pending-change");
    await expect(pending).toContainText("A network change is waiting for confirmation");
    await expect(pending.getByRole("button", { name: "Keep this change" })).toBeVisible();
    expect(await addressesOf("atbr2")).toEqual([]);
    // Nobody keeps it: it is undone by itself.
    await expect(page.getByTestId("change-outcome")).toContainText(
      "rolled back: Not confirmed within 8 s: rolled back automatically.",
    );
    expect(await addressesOf("atbr2")).toEqual(["192.0.2.10/24"]);
    expect(await defaultRoute()).toMatchObject({ gateway: "192.0.2.1", dev: "atbr2" });
    await expect(page.locator('[data-apply="rolled-back"]').first()).toBeVisible();
  });

  const [first, second] = [await createContainer(), await createContainer()] as [string, string];
  await test.step("two containers attached with static addresses reach each other", async () => {
    const connect = page.getByRole("form", { name: "Connect a container" });
    await page.reload();
    await connect.getByLabel("Container", { exact: true }).selectOption(first);
    await connect.getByLabel("Bridge", { exact: true }).selectOption("atbr2");
    await connect.getByLabel("Addressing", { exact: true }).selectOption("static");
    await connect.getByLabel("Address with prefix").fill("192.0.2.21/24");
    await connect.getByLabel("Gateway (optional)").fill("192.0.2.1");
    await connect.getByRole("button", { name: "Add the interface" }).click();
    await expect(connect.getByLabel("What changed in the config")).toContainText(
      "lxc.net.1.ipv4.address = 192.0.2.21/24",
    );

    // The second from its own page.
    await page.goto(`/containers/${second}/network`);
    await page.getByText("Add a network interface").click();
    const own = page.getByRole("form", { name: "Connect a container" });
    await own.getByLabel("Bridge", { exact: true }).selectOption("atbr2");
    await own.getByLabel("Addressing", { exact: true }).selectOption("static");
    await own.getByLabel("Address with prefix").fill("192.0.2.22/24");
    await own.getByRole("button", { name: "Add the interface" }).click();
    await expect(page.locator('[data-nic="1"]')).toContainText("192.0.2.22/24");

    for (const name of [first, second]) {
      await page.goto(`/containers/${name}`);
      await page.getByRole("button", { name: "Start", exact: true }).click();
      await expect(page.getByTestId("container-state")).toHaveText("RUNNING");
    }
    const ping = await execa(
      "lxc-attach",
      ["-P", lxcPath(), "-n", first, "--", "/bin/ping", "-c", "1", "-W", "3", "192.0.2.22"],
      { reject: false },
    );
    expect(ping.exitCode, ping.stdout + ping.stderr).toBe(0);
    // And the LAN's gateway, through the bridge and the enslaved NIC.
    const out = await execa(
      "lxc-attach",
      ["-P", lxcPath(), "-n", first, "--", "/bin/ping", "-c", "1", "-W", "3", "192.0.2.1"],
      { reject: false },
    );
    expect(out.exitCode, out.stdout + out.stderr).toBe(0);
  });

  await test.step("the persisted file matches what is live", async () => {
    await page.goto("/network");
    await expect(page.locator('[data-bridge="atbr2"]')).toContainText(first);
    await expect(page.getByTestId("persist-sync")).toHaveText(
      "The persisted configuration matches what is live.",
    );
    const written = await readFile(path.join(hostRoot, "etc/network/interfaces.d/atelier"), "utf8");
    expect(written).toContain(
      [
        "iface atnic2 inet manual",
        "auto atbr2",
        "iface atbr2 inet static",
        "    address 192.0.2.10/24",
        "    gateway 192.0.2.1",
        "    bridge_ports atnic2",
        "    bridge_stp off",
        "    bridge_fd 2",
      ].join("\n"),
    );
  });
});

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "@playwright/test";
import { lxcPath } from "../tests/lxc-oracle";
import { containerTab as tab, expect, test } from "./fixtures";

/**
 * Unprivileged by default, as a user sees it: a container made from the wizard's defaults is unprivileged, its
 * Overview says which host uid its root is and shows its id map; an admin makes it privileged (a job, a snapshot
 * first) and back; an operator's wizard has no privileged checkbox.
 */

const configOf = (name: string) => readFile(path.join(lxcPath(), name, "config"), "utf8");

/** Confirms a conversion on the Overview and waits for its job to be done. */
const convert = async (page: Page, name: string, button: string, confirm: string) => {
  const isolation = page.getByRole("region", { name: "Isolation" });
  await isolation.getByRole("button", { name: button }).click();
  await page.getByRole("dialog").getByRole("button", { name: confirm }).click();
  await expect(
    isolation.getByRole("region", { name: `Job: convert ${name}` }).getByTestId("job-state"),
  ).toHaveText("Done", { timeout: 60_000 });
};

test.describe("as an admin", () => {
  test.use({ storageState: "e2e/.auth/admin.json" });

  test("a container from the wizard's defaults is unprivileged; made privileged and back", async ({
    page,
    containerName: name,
  }) => {
    test.setTimeout(120_000);
    await page.goto("/containers/new");
    const privileged = page.getByLabel("Privileged container");
    await expect(privileged).not.toBeChecked();
    await expect(page.getByTestId("will-be-unprivileged")).toBeVisible();
    await page.getByLabel("Name", { exact: true }).fill(name);
    await expect(page.getByText(/^The whole config/)).toBeVisible();
    await expect(page.getByText(/; unprivileged\.$/)).toBeVisible();
    await page.getByRole("button", { name: "Create container" }).click();
    await expect(page).toHaveURL(`/containers/${name}`, { timeout: 60_000 });

    const isolation = page.getByRole("region", { name: "Isolation" });
    const state = isolation.getByTestId("isolation-state");
    await expect(state).toHaveText(/Unprivileged/);
    const root = isolation.getByTestId("isolation-root");
    await expect(root).toContainText(/Container root is host uid \d+ and gid \d+/);
    const uid = Number(/host uid (\d+)/.exec((await root.textContent()) ?? "")?.[1]);
    expect(uid).toBeGreaterThanOrEqual(1_000_000);
    // The map as a table: container ids 0–65535 are host ids uid…uid+65535, users and groups.
    const map = isolation.getByRole("table");
    await expect(map.getByRole("row", { name: /^users 0–65535/ })).toContainText(`${uid}–${uid + 65535}`);
    await expect(map.getByRole("row", { name: /^groups 0–65535/ })).toContainText(`${uid}–${uid + 65535}`);
    await expect(isolation.getByText(/^Root filesystem mounted idmapped/)).toBeVisible();
    expect(await configOf(name)).toContain(`lxc.idmap = u 0 ${uid} 65536`);

    await convert(page, name, "Make privileged", "Make it privileged");
    await expect(state).toHaveText(/Privileged/);
    await expect(isolation.getByRole("note")).toContainText("Root in this container is the host's root");
    await expect(isolation.getByRole("table")).toHaveCount(0);
    expect(await configOf(name)).not.toMatch(/^lxc\.idmap/m);

    await convert(page, name, "Make unprivileged", "Make it unprivileged");
    await expect(state).toHaveText(/Unprivileged/);
    await expect(root).toContainText(/Container root is host uid \d+/);
    expect(await configOf(name)).toMatch(/^lxc\.idmap = u 0 \d+ 65536$/m);

    // Each conversion took a snapshot first.
    await tab(page, "Snapshots").click();
    const snapshots = page.getByRole("region", { name: "Snapshots" });
    await expect(snapshots.getByText("Before conversion to privileged by admin")).toBeVisible();
    await expect(snapshots.getByText("Before conversion to unprivileged by admin")).toBeVisible();
  });

  test("the conversion waits for the container to stop", async ({ page, createContainer }) => {
    const name = await createContainer({ start: true });
    await page.goto(`/containers/${name}`);
    const isolation = page.getByRole("region", { name: "Isolation" });
    await expect(isolation.getByRole("button", { name: "Make privileged" })).toBeDisabled();
    await expect(isolation.getByText(/^Stop the container first/)).toBeVisible();
  });
});

test.describe("as an operator", () => {
  test.use({ storageState: "e2e/.auth/operator.json" });

  test("the wizard has no privileged checkbox: the container will be unprivileged", async ({ page }) => {
    await page.goto("/containers/new");
    await expect(page.getByTestId("will-be-unprivileged")).toBeVisible();
    await expect(page.getByLabel("Privileged container")).toHaveCount(0);
    // A snapshot clone cannot be unprivileged: said under the option.
    await page.getByLabel(/^A clone of a container/).check();
    await page.getByLabel("Overlay snapshot clone (copy-on-write)").check();
    await expect(page.getByTestId("overlay-unprivileged")).toContainText(
      "A snapshot clone cannot be unprivileged",
    );
  });
});

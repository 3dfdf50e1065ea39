import { execa } from "execa";
import { lxcPath } from "../tests/lxc-oracle";
import { expect, test } from "./fixtures";

test("a change made from the shell shows in the browser without reload, and the connection says live", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer();
  await page.goto(`/containers/${name}`);
  await expect(page.getByTestId("container-state")).toHaveText("STOPPED");
  await expect(page.locator('[data-connection="live"]')).toBeVisible();
  await execa("lxc-start", ["-P", lxcPath(), "-n", name]);
  await expect(page.getByTestId("container-state")).toHaveText("RUNNING");
  await execa("lxc-freeze", ["-P", lxcPath(), "-n", name]);
  await expect(page.getByTestId("container-state")).toHaveText("FROZEN");
});

test("two browsers stay in sync, and the other user is told who did what", async ({
  page,
  browser,
  createContainer,
}) => {
  const name = await createContainer();
  const admin = await browser.newContext({ storageState: "e2e/.auth/admin.json" });
  const other = await admin.newPage();
  await other.goto("/containers");
  await page.goto("/containers");
  const rowHere = page.locator(`[data-container="${name}"]`);
  const rowThere = other.locator(`[data-container="${name}"]`);
  await expect(rowThere.getByText("Stopped", { exact: true })).toBeVisible();
  await rowHere.getByRole("button", { name: `Start ${name}` }).click();
  await expect(rowThere.getByText("Running", { exact: true })).toBeVisible();
  await expect(other.getByRole("status").filter({ hasText: `operator started ${name}` })).toBeVisible();
  await admin.close();
});

test("the events page shows the timeline and grows live", async ({ page, createContainer }) => {
  const name = await createContainer();
  await page.goto("/events");
  await page.getByLabel("Container").fill(name);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(
    page.getByRole("listitem").filter({ hasText: `asked for ${name} to be created` }),
  ).toBeVisible();
  // The creation job reads as a sentence too, with links to the container and to the job's log.
  const created = page
    .getByRole("listitem")
    .filter({ hasText: new RegExp(`Creating ${name} finished in \\d+ s`) });
  await expect(created).toBeVisible();
  await expect(created.getByRole("link", { name: "Job log" })).toHaveAttribute(
    "href",
    /^\/jobs\?id=[0-9a-f-]{36}$/,
  );
  await execa("lxc-start", ["-P", lxcPath(), "-n", name]);
  const running = page.getByRole("listitem").filter({ hasText: `${name} is running` });
  await expect(running).toBeVisible();
  await running.getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/containers/${name}(/|$)`));
});

test("the network page shows the bridge, the container on it and the session's interface", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  await page.goto("/network");
  await expect(page.getByTestId("session-interface")).toContainText("This browser reaches Atelier on lo");
  const bridge = page.locator('[data-bridge="atbr0"]');
  await expect(bridge).toContainText("10.213.0.1/24");
  await expect(bridge.getByRole("link", { name })).toBeVisible();
  await expect(page.getByRole("table", { name: "The main routing table" })).toContainText("10.213.0.0/24");
  await expect(page.locator('[data-check="network-manager"]')).toContainText("NetworkManager");
});

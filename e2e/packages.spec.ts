import { containerTab, expect, test } from "./fixtures";

/** The Packages tab: what it says of a stopped container, and of a running one without a package manager. */
test("a stopped container offers a temporary start, and a busybox container says it has no package manager", async ({
  page,
  createContainer,
}) => {
  const stopped = await createContainer();
  await page.goto(`/containers/${stopped}`);
  await containerTab(page, "Packages").click();
  await expect(page).toHaveURL(`/containers/${stopped}/packages`);
  await expect(page.getByRole("heading", { name: "Packages", level: 2 })).toBeVisible();
  await expect(page.getByText("ask for a temporary start")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: /Temporary start/ })).toBeVisible();

  const running = await createContainer({ start: true });
  await page.goto(`/containers/${running}/packages`);
  await expect(page.getByTestId("no-package-manager")).toContainText("has no package manager");
  await expect(page.getByRole("button", { name: "Upgrade all" })).toHaveCount(0);
  await expect(page.getByRole("search")).toHaveCount(0);
});

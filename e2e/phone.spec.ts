import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// A phone held upright (iPhone 12 to 15: 390 × 844 CSS pixels), with touch.
test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

/** The page scrolls only up and down: nothing sticks out to the side. */
const expectNoSidewaysScroll = async (page: Page) => {
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(widths.scroll, "the page is wider than the screen").toBeLessThanOrEqual(widths.client);
};

test("on a phone, the list and a container's Overview fit the screen, and a container starts and stops", async ({
  page,
  createContainer,
  lxcState,
}) => {
  const name = await createContainer();
  await page.goto("/containers");
  const row = page.locator(`tr[data-container="${name}"]`);
  await expect(row).toBeVisible();
  await expectNoSidewaysScroll(page);
  // Start from the list: the row's button is on screen without scrolling the table sideways.
  const start = row.getByRole("button", { name: `Start ${name}` });
  await expect(start).toBeInViewport();
  await start.tap();
  await expect(row.getByText("Running", { exact: true })).toBeVisible();
  expect(await lxcState(name)).toBe("RUNNING");

  await row.getByRole("link", { name }).tap();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByTestId("container-state")).toHaveText("RUNNING");
  await expect(page.getByRole("meter", { name: "CPU" })).toBeVisible();
  await expectNoSidewaysScroll(page);
  const stop = page.getByRole("button", { name: "Stop", exact: true });
  await expect(stop).toBeInViewport();
  await stop.tap();
  await expect(page.getByTestId("container-state")).toHaveText("STOPPED");
  expect(await lxcState(name)).toBe("STOPPED");

  // The other tabs fit too.
  for (const tab of ["usage", "config", "network", "files", "snapshots"]) {
    await page.goto(`/containers/${name}/${tab}`);
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expectNoSidewaysScroll(page);
  }
});

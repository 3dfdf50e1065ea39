import type { Page } from "@playwright/test";
import { containerTab, expect, test } from "./fixtures";

/** The container page's tabs: one URL each, kept on reload, reached by click or keyboard, under one fixed header. */
const tabs = [
  { label: "Overview", path: "", heading: () => "Overview" },
  { label: "Usage", path: "/usage", heading: () => "Usage" },
  { label: "Config", path: "/config", heading: (name: string) => `Config of ${name}` },
  { label: "Network", path: "/network", heading: () => "Network interfaces" },
  { label: "Files", path: "/files", heading: () => "Files" },
  { label: "Snapshots", path: "/snapshots", heading: () => "Snapshots" },
];

/** The tab is the current one, its panel shows, and the header with its actions is above it. */
async function expectOn(page: Page, name: string, tab: (typeof tabs)[number]) {
  await expect(page).toHaveURL(`/containers/${name}${tab.path}`);
  await expect(containerTab(page, tab.label)).toHaveAttribute("aria-current", "page");
  await expect(page.locator('nav[aria-label="Container sections"] [aria-current="page"]')).toHaveCount(1);
  await expect(page.getByRole("heading", { name: tab.heading(name), level: 2 })).toBeVisible();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Destroy", exact: true })).toBeVisible();
}

test("each tab has its own URL that loads directly and survives a reload", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer();
  for (const tab of tabs) {
    await page.goto(`/containers/${name}${tab.path}`);
    await expectOn(page, name, tab);
    await page.reload();
    await expectOn(page, name, tab);
  }
});

test("clicking a tab changes the URL, and Back returns to the previous tab", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer();
  await page.goto(`/containers/${name}`);
  for (const tab of [...tabs.slice(1), tabs[0]!]) {
    await containerTab(page, tab.label).click();
    await expectOn(page, name, tab);
  }
  await page.goBack();
  await expectOn(page, name, tabs.at(-1)!);
});

test("a tab is reached with Tab and opened with Enter", async ({ page, createContainer }) => {
  const name = await createContainer();
  await page.goto(`/containers/${name}`);
  await containerTab(page, "Overview").focus();
  // Overview → Usage → Config → Network: the tabs are plain links in the Tab order.
  for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
  await expect(containerTab(page, "Network")).toBeFocused();
  await page.keyboard.press("Enter");
  await expectOn(page, name, tabs[3]!);
});

import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

/** The command palette (Ctrl-K / ⌘K) and the keyboard shortcuts' sheet (`?`), from the keyboard. */

/** Opens the palette with the keyboard, once the page is signed in and interactive. */
async function openPalette(page: Page) {
  const palette = page.getByRole("dialog", { name: "Command palette" });
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(async () => {
    if (!(await palette.isVisible())) await page.keyboard.press("ControlOrMeta+k");
    await expect(palette).toBeVisible({ timeout: 1000 });
  }).toPass();
  await expect(palette.getByRole("combobox")).toBeFocused();
  return palette;
}

const shortcuts = (page: Page) => page.getByRole("dialog", { name: "Keyboard shortcuts" });

/** Opens the shortcuts' sheet with `?`, focus being on no field. */
async function openShortcuts(page: Page) {
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(async () => {
    if (!(await shortcuts(page).isVisible())) await page.keyboard.press("?");
    await expect(shortcuts(page)).toBeVisible({ timeout: 1000 });
  }).toPass();
}

test("Ctrl-K opens the palette, which jumps to a container and force-stops it after the button's confirmation", async ({
  page,
  createContainer,
  lxcState,
}) => {
  const name = await createContainer({ start: true });
  await page.goto("/host");
  let palette = await openPalette(page);
  await page.keyboard.type(name);
  await expect(palette.getByRole("option").first()).toContainText(name);
  await expect(palette.getByRole("option").first()).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(palette).toBeHidden();
  await expect(page).toHaveURL(`/containers/${name}`);
  await expect(page.getByTestId("container-state")).toHaveText("RUNNING");

  // The container in view has its actions first; a force stop asks first, as its button does.
  palette = await openPalette(page);
  await expect(palette.getByRole("group", { name: `Actions on ${name}` })).toBeVisible();
  await page.keyboard.type("force stop");
  await expect(palette.getByRole("option", { name: `Force stop ${name}…` })).toHaveAttribute(
    "aria-selected",
    "true",
  );
  await page.keyboard.press("Enter");
  const confirm = page.getByRole("dialog", { name: `Force stop ${name}?` });
  await expect(confirm).toBeVisible();
  await expect(palette).toBeHidden();
  expect(await lxcState(name)).toBe("RUNNING");
  await confirm.getByRole("button", { name: "Force stop" }).click();

  await expect(page.getByTestId("container-state")).toHaveText("STOPPED");
  await expect(page.getByRole("status").filter({ hasText: `${name} stopped (killed)` })).toBeVisible();
  expect(await lxcState(name)).toBe("STOPPED");
});

test("the palette acts on a container chosen from any page, and Escape gives focus back", async ({
  page,
  createContainer,
  lxcState,
}) => {
  const name = await createContainer({ start: true });
  await page.goto("/events");
  const hostLink = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Host" });
  await hostLink.focus();
  let palette = await openPalette(page);
  await page.keyboard.press("Escape");
  await expect(palette).toBeHidden();
  await expect(hostLink).toBeFocused();

  palette = await openPalette(page);
  await page.keyboard.type("act on");
  await page.keyboard.press("Enter");
  await expect(palette.getByRole("group", { name: "Choose a container" })).toBeVisible();
  await page.keyboard.type(name);
  await expect(palette.getByRole("option", { name: new RegExp(`^${name}`) })).toHaveAttribute(
    "aria-selected",
    "true",
  );
  await page.keyboard.press("Enter");
  await expect(palette.getByRole("group", { name: `Actions on ${name}` })).toBeVisible();
  await page.keyboard.type("freeze");
  await expect(palette.getByRole("option", { name: `Freeze ${name}` })).toHaveAttribute(
    "aria-selected",
    "true",
  );
  await page.keyboard.press("Enter");
  await expect(palette).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: `${name} frozen` })).toBeVisible();
  expect(await lxcState(name)).toBe("FROZEN");
  await expect(hostLink).toBeFocused();
});

test("the palette takes a snapshot of the stopped container in view and follows its job to the end", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer();
  await page.goto(`/containers/${name}/snapshots`);
  await expect(page.getByText("No snapshot yet.")).toBeVisible();
  const palette = await openPalette(page);
  await page.keyboard.type("snapshot");
  await expect(palette.getByRole("option", { name: `Take a snapshot of ${name}` })).toHaveAttribute(
    "aria-selected",
    "true",
  );
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: `Snapshot of ${name} taken` })).toBeVisible();
  await expect(page.locator("[data-snapshot]")).toHaveCount(1);
});

test("? opens the keyboard shortcuts, as the palette does, but not while typing in a field", async ({
  page,
}) => {
  await page.goto("/containers");
  await openShortcuts(page);
  await expect(shortcuts(page).getByText("Open or close the command palette")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(shortcuts(page)).toBeHidden();

  await openPalette(page);
  await page.keyboard.type("shortcuts");
  await page.keyboard.press("Enter");
  await expect(shortcuts(page)).toBeVisible();
  await expect(shortcuts(page).getByRole("button", { name: "Close" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(shortcuts(page)).toBeHidden();

  await page.goto("/containers/new");
  const field = page.getByLabel("Name");
  await field.focus();
  await page.keyboard.press("?");
  await expect(field).toHaveValue("?");
  await expect(shortcuts(page)).toBeHidden();
});

test.describe("as a viewer", () => {
  test.use({ storageState: "e2e/.auth/viewer.json" });

  test("the palette goes to containers and pages but offers no action", async ({ page, createContainer }) => {
    const name = await createContainer({ start: true });
    await page.goto(`/containers/${name}`);
    const palette = await openPalette(page);
    await expect(palette.getByRole("option", { name: new RegExp(`^${name}`) })).toBeVisible();
    await expect(palette.getByRole("option", { name: /^Host/ })).toBeVisible();
    await expect(palette.getByRole("group", { name: `Actions on ${name}` })).toHaveCount(0);
    await expect(
      palette.getByRole("option", { name: /^(Start|Stop|Force stop|Freeze|Restart)/ }),
    ).toHaveCount(0);
    await expect(
      palette.getByRole("option", { name: /^(Act on|Audit log|Users|New container)/ }),
    ).toHaveCount(0);
  });
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`the open palette and the shortcuts have no serious accessibility violations (${colorScheme})`, async ({
    page,
    createContainer,
  }) => {
    await page.emulateMedia({ colorScheme });
    const name = await createContainer({ start: true });
    await page.goto(`/containers/${name}`);
    const serious = async (what: string) => {
      const results = await new AxeBuilder({ page }).analyze();
      return results.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${what}: ${v.id} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
    };
    const palette = await openPalette(page);
    await expect(palette.getByRole("group", { name: `Actions on ${name}` })).toBeVisible();
    expect(await serious("palette")).toEqual([]);
    await page.keyboard.type("zzzzzz");
    await expect(palette.getByText("Nothing matches.")).toBeVisible();
    expect(await serious("palette, no match")).toEqual([]);
    await page.keyboard.press("Escape");
    await expect(palette).toBeHidden();
    await openShortcuts(page);
    expect(await serious("shortcuts")).toEqual([]);
  });
}

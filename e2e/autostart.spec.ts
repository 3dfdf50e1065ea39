import { readFile } from "node:fs/promises";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { lxcPath } from "../tests/lxc-oracle";
import { expect, test, tokens } from "./fixtures";

/**
 * The Autostart board on real containers: marked to start with the host from the page, reordered from the keyboard
 * (the preview and the configs' lxc.start.order following), a dependency set; a viewer reads the same board with no
 * control that changes it.
 */
const configFile = (name: string) => path.join(lxcPath(), name, "config");

/** lxc.start.order as liblxc reads it: the last line's value, 0 when none. */
const startOrder = async (name: string) => {
  const values = [
    ...(await readFile(configFile(name), "utf8")).matchAll(/^lxc\.start\.order\s*=\s*(-?\d+)\s*$/gm),
  ];
  return Number(values.at(-1)?.[1] ?? 0);
};

const operatorCall = async (request: APIRequestContext, procedure: string, input: unknown) => {
  const response = await request.post(`/api/trpc/${procedure}`, {
    data: { json: input },
    headers: { authorization: `Bearer ${tokens().operator}` },
  });
  expect(response.status(), `${procedure}: ${await response.text()}`).toBe(200);
};

test("mark two containers, reorder them from the keyboard, see the preview and the configs follow, set a dependency", async ({
  page,
  createContainer,
}) => {
  const [first, second] = [await createContainer(), await createContainer()].sort();
  if (!first || !second) throw new Error("two containers");
  await page.goto("/autostart");
  await expect(page.getByRole("heading", { name: "Autostart", level: 1 })).toBeVisible();
  const manual = page.getByRole("list", { name: "Containers that do not start with the host" });
  for (const name of [first, second]) {
    await manual.getByRole("checkbox", { name: `${name} starts with the host` }).check();
    await expect(page.getByTestId("autostart-row").filter({ hasText: name })).toBeVisible();
  }
  // Neither has a group: both in the no-group pass, by name (lxc.start.order 0 for both).
  const preview = page.getByTestId("autostart-preview");
  const previewed = async () =>
    (await preview.getByRole("listitem").allTextContents()).filter(
      (text) => text.includes(first) || text.includes(second),
    );
  await expect.poll(previewed).toEqual([expect.stringContaining(first), expect.stringContaining(second)]);

  // Alt+↑ on the focused row of the second: it goes first, the move announced and saved.
  const row = page.getByTestId("autostart-row").filter({ hasText: second });
  await row.focus();
  await page.keyboard.press("Alt+ArrowUp");
  await expect(page.getByTestId("autostart-announcement")).toContainText(`${second} moved to position`);
  await expect(row).toBeFocused();
  await expect.poll(previewed).toEqual([expect.stringContaining(second), expect.stringContaining(first)]);
  await expect.poll(async () => (await startOrder(second)) < (await startOrder(first))).toBe(true);
  // And back with the button.
  await page.getByRole("button", { name: `Move ${second} down` }).click();
  await expect.poll(previewed).toEqual([expect.stringContaining(first), expect.stringContaining(second)]);
  await expect.poll(async () => (await startOrder(first)) < (await startOrder(second))).toBe(true);

  // By pointer: the second dragged onto the first's place.
  await row.dragTo(page.getByTestId("autostart-row").filter({ hasText: first }));
  await expect.poll(previewed).toEqual([expect.stringContaining(second), expect.stringContaining(first)]);
  await expect.poll(async () => (await startOrder(second)) < (await startOrder(first))).toBe(true);

  // The second starts after the first answers on TCP port 80, waiting at most 15 s.
  await page.getByRole("button", { name: `Edit ${second}…` }).click();
  const dialog = page.getByRole("dialog", { name: `Autostart of ${second}` });
  await dialog.getByLabel("Dependency", { exact: true }).selectOption({ label: `Start after ${first}` });
  await dialog.getByLabel("Answers", { exact: true }).selectOption({ label: "on a TCP port" });
  await dialog.getByLabel("TCP port", { exact: true }).fill("80");
  await dialog.getByLabel("Wait at most (seconds)", { exact: true }).fill("15");
  await dialog.getByLabel("Wait after starting it (seconds)", { exact: true }).fill("2");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByTestId("autostart-dependency")).toHaveText(
    `starts after ${first} answers on TCP port 80 (at most 15 s)`,
  );
  await expect(preview.getByRole("listitem").filter({ hasText: second })).toContainText(
    `after ${first} answers on TCP port 80, waiting at most 15 s, then wait 2 seconds`,
  );
  await expect.poll(async () => readFile(configFile(second), "utf8")).toMatch(/^lxc\.start\.delay = 2$/m);
});

test.describe("as a viewer", () => {
  test.use({ storageState: "e2e/.auth/viewer.json" });

  test("a viewer reads the board with no control that changes it", async ({
    page,
    request,
    createContainer,
  }) => {
    const name = await createContainer();
    // In the onboot group: its own pass, away from the no-group pass the other test reorders.
    await operatorCall(request, "autostart.set", { name, auto: true, groups: ["onboot"] });
    await page.goto("/autostart");
    const row = page.getByTestId("autostart-row").filter({ hasText: name });
    await expect(row).toBeVisible();
    await expect(row).toContainText("groups: onboot");
    await expect(page.getByRole("checkbox")).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Move |^Edit / })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /now$/ })).toHaveCount(0);
    await expect(row).not.toHaveAttribute("draggable", "true");
  });
});

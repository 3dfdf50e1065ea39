import { containerTab, expect, test } from "./fixtures";

/** The Services tab: a busybox container's inittab entries, what an operator may do, and a viewer only reading. */
test("the services of a busybox container are listed, with actions for an operator", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  await page.goto(`/containers/${name}`);
  await containerTab(page, "Services").click();
  await expect(page).toHaveURL(`/containers/${name}/services`);
  await expect(page.getByRole("heading", { name: "Services", level: 2 })).toBeVisible();
  await expect(page.getByTestId("services-manager")).toHaveText(/busybox init/);
  const table = page.getByRole("table", { name: `Services of ${name}` });
  await expect(table.getByRole("rowheader", { name: "getty@tty1" })).toBeVisible();
  await expect(table.getByRole("rowheader", { name: "rcS" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Disable getty@tty1" })).toBeVisible();
  // Busybox init starts and stops nothing on demand: no such button.
  await expect(page.getByRole("button", { name: "Stop getty@tty1" })).toHaveCount(0);
  await page.getByLabel("Filter services").fill("getty");
  await expect(table.getByRole("rowheader", { name: "rcS" })).toHaveCount(0);
});

test("the Services tab of a stopped container says to start it", async ({ page, createContainer }) => {
  const name = await createContainer();
  await page.goto(`/containers/${name}/services`);
  await expect(page.getByTestId("services-stopped")).toHaveText(
    `${name} is stopped: start it to see and manage its services.`,
  );
});

test.describe("as a viewer", () => {
  test.use({ storageState: "e2e/.auth/viewer.json" });

  test("the services are listed without action buttons", async ({ page, createContainer }) => {
    const name = await createContainer({ start: true });
    await page.goto(`/containers/${name}/services`);
    const table = page.getByRole("table", { name: `Services of ${name}` });
    await expect(table.getByRole("rowheader", { name: "getty@tty1" })).toBeVisible();
    await expect(table.getByRole("button")).toHaveCount(0);
    await expect(
      page.getByText("You can see the services; operators and admins can change them."),
    ).toBeVisible();
  });
});

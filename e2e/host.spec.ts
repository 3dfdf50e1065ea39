import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "./fixtures";

/**
 * The Host page's readiness section: the checks show for everyone; a problem with a safe fix (root's lines in
 * /etc/subuid and /etc/subgid, taken away here in the run's ATELIER_HOST_ROOT) is read-only for a viewer, and an
 * admin sees exactly what the fix will change before it runs, then the change made.
 */
const etc = path.join(`${process.env.ATELIER_DATA_DIR ?? "/tmp"}/hostroot`, "etc");
const POOL_LINE = "root:1000000:65536000";

const takeSubidsAway = async () => {
  await mkdir(etc, { recursive: true });
  await writeFile(path.join(etc, "subuid"), "");
  await writeFile(path.join(etc, "subgid"), "");
};

// One after the other: both tests take the lines away, and the admin's puts them back.
test.describe.configure({ mode: "serial" });

test.describe("as a viewer", () => {
  test.use({ storageState: "e2e/.auth/viewer.json" });

  test("sees the readiness checks and the problem's fix, without a button to make it", async ({ page }) => {
    await takeSubidsAway();
    await page.goto("/host");
    const readiness = page.getByRole("region", { name: "Readiness" });
    await expect(readiness.getByTestId("readiness-summary")).toContainText(/problem/);
    const subids = readiness.locator('[data-check="subids"]');
    await expect(subids).toContainText("Root's subordinate ids");
    await expect(subids).toContainText(POOL_LINE);
    await expect(subids).toContainText("An admin can make this change here with one click.");
    await expect(readiness.getByRole("button", { name: "Fix…" })).toHaveCount(0);
    // Every check, by group, behind a disclosure.
    await readiness.getByText(/^Every check \(\d+\)$/).click();
    await expect(readiness.getByRole("table", { name: "Readiness checks: Kernel" })).toContainText(
      "Veth pairs",
    );
  });
});

test.describe("as an admin", () => {
  test.use({ storageState: "e2e/.auth/admin.json" });

  test("sees what the fix will change before it runs, then the change made", async ({ page }) => {
    await takeSubidsAway();
    await page.goto("/host");
    const readiness = page.getByRole("region", { name: "Readiness" });
    const subids = readiness.locator('[data-check="subids"]');
    await expect(subids).toHaveAttribute("data-status", "problem");
    await subids.getByRole("button", { name: "Fix…" }).click();

    const dialog = page.getByRole("dialog", { name: "Fix: Root's subordinate ids" });
    await expect(dialog.getByTestId("fix-changes")).toHaveText(
      [
        `append "${POOL_LINE}" to ${path.join(etc, "subuid")}`,
        `append "${POOL_LINE}" to ${path.join(etc, "subgid")}`,
      ].join("\n"),
    );
    // Shown, not yet made.
    expect(await readFile(path.join(etc, "subuid"), "utf8")).toBe("");

    await dialog.getByRole("button", { name: "Make the change" }).click();
    await expect(readiness.getByTestId("fix-done")).toContainText(
      `Done: appended "${POOL_LINE}" to ${path.join(etc, "subuid")}`,
    );
    expect(await readFile(path.join(etc, "subuid"), "utf8")).toBe(`${POOL_LINE}\n`);
    expect(await readFile(path.join(etc, "subgid"), "utf8")).toBe(`${POOL_LINE}\n`);
    await expect(subids).toHaveCount(0);
  });
});

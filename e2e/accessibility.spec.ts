import AxeBuilder from "@axe-core/playwright";
import { everyPage, expect, test } from "./fixtures";

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`in ${colorScheme} mode`, () => {
    test.use({ colorScheme, storageState: "e2e/.auth/admin.json" });

    test("the pages have no serious accessibility violations and follow the colour scheme", async ({
      page,
      createContainer,
    }) => {
      // Every page, the Shell and Console tabs with their terminals included: longer than one page's test.
      test.setTimeout(180_000);
      const name = await createContainer({ start: true });
      for (const path of everyPage(name)) {
        await page.goto(path);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await expect(page.getByRole("status").filter({ hasText: "Loading" })).toHaveCount(0);
        const results = await new AxeBuilder({ page }).analyze();
        const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        expect(
          serious.map((v) => `${path}: ${v.id} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
        ).toEqual([]);
      }
      // Browsers report Tailwind 4's colours as lab()/oklch(): a canvas turns any CSS colour into RGB.
      const [r, g, b] = await page.evaluate(() => {
        const context = document.createElement("canvas").getContext("2d");
        if (!context) throw new Error("no canvas");
        context.fillStyle = getComputedStyle(document.body).backgroundColor;
        context.fillRect(0, 0, 1, 1);
        return [...context.getImageData(0, 0, 1, 1).data];
      });
      const isDark = ((r ?? 0) + (g ?? 0) + (b ?? 0)) / 3 < 128;
      expect(isDark, `body background rgb(${r}, ${g}, ${b})`).toBe(colorScheme === "dark");
    });
  });
}

test("the whole lifecycle works from the keyboard alone", async ({ page, createContainer, lxcState }) => {
  const name = await createContainer();
  await page.goto(`/containers/${name}`);
  await expect(page.getByTestId("container-state")).toHaveText("STOPPED");
  await page.getByRole("button", { name: "Start", exact: true }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("container-state")).toHaveText("RUNNING");
  expect(await lxcState(name)).toBe("RUNNING");
});

test("pages run under a Content-Security-Policy that allows no script without its nonce, with no violation", async ({
  page,
}) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/containers/new");
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(policy).toContain("frame-ancestors 'none'");
  // The page is interactive, so Next's own scripts ran under the policy.
  await page.getByLabel("Name").fill("bad name");
  await page.getByRole("button", { name: "Create container" }).click();
  await expect(page.getByText("Use only letters, digits")).toBeVisible();
  expect(violations).toEqual([]);
});

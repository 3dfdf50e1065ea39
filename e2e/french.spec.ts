import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { MESSAGES } from "../server/i18n/messages";
import { everyPage, expect, test, tokens } from "./fixtures";

/**
 * A French-speaking admin's walk through every page (browser asking for French): the page says it is French, no
 * English sentence is left on it (in its text, or in what a screen reader hears of its labels), and axe finds no
 * serious violation in light or dark. Then a user switches their own language on the account page.
 */

const fr = MESSAGES.fr;

// Words of English sentences that French never uses, whole words only. Names, paths, config lines, commands and
// what LXC itself prints are not sentences of Atelier's: they sit in code, pre or CodeMirror, skipped below.
const ENGLISH =
  /\b(the|and|with|your|this|that|is|are|was|were|not|to|of|from|has|have|will|cannot|when|which|there|loading|running|stopped|yes|no)\b/i;

/** Every piece of prose the page shows or a screen reader says, outside code. */
const prose = (page: Page) =>
  page.evaluate(() => {
    const skip = "code, pre, kbd, samp, script, style, .cm-editor, [translate='no']";
    const pieces: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim();
      if (text && !node.parentElement?.closest(skip)) pieces.push(text);
    }
    for (const element of Array.from(document.querySelectorAll("[aria-label], [title], [placeholder]"))) {
      if (element.closest(skip)) continue;
      for (const name of ["aria-label", "title", "placeholder"]) {
        const value = element.getAttribute(name)?.trim();
        if (value) pieces.push(value);
      }
    }
    for (const option of Array.from(document.querySelectorAll("option"))) pieces.push(option.text.trim());
    return pieces;
  });

const settle = async (page: Page) => {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /^Chargement/ })).toHaveCount(0);
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
};

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`en français, ${colorScheme}`, () => {
    test.use({ locale: "fr-FR", colorScheme, storageState: "e2e/.auth/admin.json" });

    test("every page is in French, with French dates, and passes axe", async ({ page, createContainer }) => {
      // Every page, the Shell and Console tabs with their terminals included: longer than one page's test.
      test.setTimeout(180_000);
      const name = await createContainer({ start: true });
      const english: string[] = [];
      for (const path of everyPage(name)) {
        await page.goto(path);
        await settle(page);
        for (const piece of await prose(page)) if (ENGLISH.test(piece)) english.push(`${path}: ${piece}`);
        const results = await new AxeBuilder({ page }).analyze();
        const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        expect(
          serious.map((v) => `${path}: ${v.id} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
        ).toEqual([]);
      }
      expect(english).toEqual([]);
      // Dates as French writes them: the day before the month ("6 déc. 2026, 13:18").
      await page.goto("/events");
      await settle(page);
      await expect(page.locator("time").first()).toHaveText(/^\d{1,2} \p{L}+\.? \d{4}/u);
      // The container's state in words, on its Overview.
      await page.goto(`/containers/${name}`);
      await expect(page.getByTestId("container-state")).toHaveText(fr.containers.states.RUNNING);
    });
  });
}

test.describe("the language of a user", () => {
  test.use({ locale: "fr-FR", storageState: { cookies: [], origins: [] } });

  test("follows the browser until the user picks one on the account page, then every browser of theirs", async ({
    page,
    request,
  }) => {
    const username = `lang${Date.now().toString(36)}`;
    const password = "correct-horse-battery-staple";
    const made = await request.post("/api/trpc/users.create", {
      data: { json: { username, role: "viewer", password } },
      headers: { authorization: `Bearer ${tokens().admin}` },
    });
    expect(made.status(), await made.text()).toBe(200);

    // The sign-in page follows the browser: French.
    await page.goto("/login");
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await page.getByLabel(fr.auth.signIn.username).fill(username);
    await page.getByLabel(fr.auth.signIn.password).fill(password);
    await page.getByRole("button", { name: fr.auth.signIn.submit }).click();
    await expect(page.getByRole("heading", { level: 1, name: fr.containers.list.heading })).toBeVisible();

    // The user picks English: the page reloads in English, and stays so.
    await page.goto("/account");
    await page.getByLabel(fr.account.language.label).selectOption("en");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
    await page.goto("/containers");
    await expect(page.getByRole("heading", { level: 1, name: "Containers" })).toBeVisible();

    // A header sent by the client does not choose the language: the server sets it.
    const forced = await page.request.get("/containers", { headers: { "x-atelier-locale": "fr" } });
    expect(await forced.text()).toContain('<html lang="en"');

    // Back to the browser's language.
    await page.goto("/account");
    await page.getByLabel("Language of the pages").selectOption("browser");
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  });
});

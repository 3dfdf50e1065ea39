import { mkdir, writeFile } from "node:fs/promises";
import { test as setup, expect } from "@playwright/test";
import { PASSWORD, seedUsers } from "../tests/server";

/**
 * Runs once before the other tests: creates one user per role in the test server's database (as `npx atelier user
 * add` would), signs each in through the real sign-in page, and keeps their browser state and an API token.
 */
setup("sign in as each role", async ({ browser, baseURL }) => {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: run through scripts/test-env.ts");
  const tokens = await seedUsers(databaseUrl);
  await mkdir("e2e/.auth", { recursive: true });
  await writeFile("e2e/.auth/tokens.json", JSON.stringify(tokens));
  for (const role of ["admin", "operator", "viewer"] as const) {
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("Username").fill(role);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Containers" })).toBeVisible();
    await context.storageState({ path: `e2e/.auth/${role}.json` });
    await context.close();
  }
});

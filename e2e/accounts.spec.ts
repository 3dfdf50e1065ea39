import { startServer, PASSWORD } from "../tests/server";
import { expect, test } from "./fixtures";

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("every page sends you to sign in, and back where you were after", async ({ page }) => {
    await page.goto("/containers/new");
    await expect(page).toHaveURL("/login?next=%2Fcontainers%2Fnew");
    await page.getByLabel("Username").fill("operator");
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Wrong username or password" })).toBeVisible();
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL("/containers/new");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL("/login");
    await page.goto("/containers");
    await expect(page).toHaveURL(/\/login/);
  });

  test("first run: only the setup link from the log creates the first admin", async ({ page }) => {
    const fresh = await startServer({}, { withUsers: false });
    try {
      const link = /(http:\/\/\S+\/setup#token=\S+)/.exec(fresh.output())?.[1];
      expect(link).toBeTruthy();
      await page.goto(`${fresh.url}/containers`);
      await expect(page).toHaveURL(`${fresh.url}/setup`);
      await expect(page.getByRole("alert").filter({ hasText: "Open the one-time setup link" })).toBeVisible();

      await page.goto(`${fresh.url}/setup#token=${link?.split("#token=")[1] ?? ""}`);
      await page.getByLabel("Admin username").fill("chief");
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("Password again").fill(PASSWORD);
      await page.getByRole("button", { name: "Create admin and sign in" }).click();
      await expect(page.getByRole("heading", { name: "Containers" })).toBeVisible();
      await expect(page.getByRole("link", { name: /chief/ })).toContainText("(admin)");
      await expect(page.getByRole("link", { name: "Users" })).toBeVisible();
    } finally {
      await fresh.stop();
    }
  });
});

test("an API token is shown once, works for scripts, and stops working when revoked", async ({
  page,
  request,
}) => {
  await page.goto("/account");
  await page.getByLabel("Token name").fill("e2e script");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = await page.getByLabel("New token").inputValue();
  expect(token).toMatch(/^atl_t_/);

  const call = () =>
    request.get("/api/trpc/containers.list", { headers: { authorization: `Bearer ${token}` } });
  expect((await call()).status()).toBe(200);

  await page.locator('[data-token="e2e script"]').getByRole("button", { name: "Revoke e2e script" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
  await expect(page.locator('[data-token="e2e script"]')).toContainText("Revoked");
  expect((await call()).status()).toBe(401);
});

test.describe("as an admin", () => {
  test.use({ storageState: "e2e/.auth/admin.json" });

  test("adds a user, changes their role and disables them; the audit log shows who did it", async ({
    page,
    request,
  }) => {
    const username = `user${Date.now().toString(36)}`;
    await page.goto("/users");
    const form = page.getByRole("form", { name: "Add a user" });
    await form.getByLabel("Username").fill(username);
    await form.getByLabel("Password").fill(PASSWORD);
    await form.getByRole("button", { name: "Add user" }).click();
    const row = page.locator(`[data-user="${username}"]`);
    await expect(row).toContainText("Active");
    await row.getByLabel(`Role of ${username}`).selectOption("operator");
    await row.getByRole("button", { name: "Disable" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Disable" }).click();
    await expect(row).toContainText("Disabled");

    const signIn = await request.post("/api/trpc/auth.signIn", {
      data: { json: { username, password: PASSWORD } },
    });
    expect(signIn.status()).toBe(401);

    await page.goto("/audit");
    await page.getByLabel("Actor").fill("admin");
    await page.getByLabel("Action").fill("users.");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByRole("row").filter({ hasText: "users.setDisabled" }).first()).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: "users.create" }).first()).toBeVisible();
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: "e2e/.auth/viewer.json" });

  test("sees containers but cannot change them or open the audit log", async ({ page, createContainer }) => {
    const name = await createContainer();
    await page.goto(`/containers/${name}`);
    await expect(page.getByTestId("container-state")).toHaveText("STOPPED");
    await expect(page.getByText("Viewers can look, not change.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Start", exact: true })).toHaveCount(0);
    const start = await page.request.post("/api/trpc/containers.start", { data: { json: { name } } });
    expect(start.status()).toBe(403);
    await expect(page.getByRole("link", { name: "Audit log" })).toHaveCount(0);
    const response = await page.request.get("/api/trpc/audit.list?input=%7B%22json%22%3A%7B%7D%7D");
    expect(response.status()).toBe(403);
  });
});

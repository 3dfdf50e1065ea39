import { startNginx, type TNginx } from "../tests/nginx";
import { PASSWORD } from "../tests/server";
import { containerTab, expect, test } from "./fixtures";

/**
 * The Shell tab in Chromium through a real reverse proxy: Debian's nginx on the namespace's loopback with the lines
 * of docs/usage.md (tests/nginx.ts) in front of the end-to-end server. The browser signs in and opens the terminal
 * at the proxy's address only (its own port, so its own Host and Origin), as it would at a public name.
 */
let proxy: TNginx | undefined;
const proxied = () => {
  if (!proxy) throw new Error("nginx did not start");
  return proxy;
};

test.describe("behind nginx", () => {
  // Signed in through the proxy, not with the setup project's session.
  test.use({ storageState: { cookies: [], origins: [] } });

  test.beforeAll(async ({}, testInfo) => {
    const server = testInfo.project.use.baseURL;
    if (!server) throw new Error("playwright.config.ts sets no baseURL");
    proxy = await startNginx(server);
  });
  test.afterAll(async () => {
    await proxy?.stop();
  });

  test("the Shell tab opened through the proxy answers 42 to echo $((6*7))", async ({
    page,
    createContainer,
  }) => {
    const name = await createContainer({ start: true });
    await page.goto(`${proxied().url}/login`);
    await page.getByLabel("Username").fill("operator");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Containers" })).toBeVisible();

    const sockets: string[] = [];
    page.on("websocket", (socket) => sockets.push(socket.url()));
    await page.goto(`${proxied().url}/containers/${name}`);
    await containerTab(page, "Shell").click();
    await expect(page).toHaveURL(`${proxied().url}/containers/${name}/shell`);
    await expect(page.getByTestId("terminal-role")).toHaveText("You are typing.");
    await page.getByTestId("terminal").click();
    await page.keyboard.type("echo $((6*7))");
    await page.keyboard.press("Enter");
    // The answer on a line of its own (the command's line holds "6*7", not "42"), as xterm.js draws it in the DOM.
    await expect
      .poll(async () =>
        (await page.getByTestId("terminal").locator(".xterm-rows > div").allTextContents()).map((row) =>
          row.replaceAll("\u00a0", " ").trim(),
        ),
      )
      .toContain("42");
    // The terminal's WebSocket went through the proxy, as the page did.
    const terminals = sockets.filter((url) => new URL(url).pathname === "/api/console");
    expect(terminals.length).toBeGreaterThan(0);
    expect(terminals.map((url) => new URL(url).host)).toEqual(
      terminals.map(() => new URL(proxied().url).host),
    );
  });
});

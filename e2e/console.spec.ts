import type { APIRequestContext, Page, WebSocketRoute } from "@playwright/test";
import { containerTab, expect, test, tokens } from "./fixtures";

/**
 * The Shell and Console tabs against real LXC (docs/console.md), in busybox containers: commands typed in the
 * browser run in the container, a reload reattaches to the same shell with its screen and variables, a second user
 * watches live and read-only until they take over, the writer's window is the shell's size, a session closed from
 * the list says so, and those who may not (a viewer) or cannot (a stopped container) get a sentence, not a terminal.
 */

const terminal = (page: Page) => page.getByTestId("terminal");
const roleBar = (page: Page) => page.getByTestId("terminal-role");

/** The terminal's visible lines, as xterm.js draws them in the DOM (no-break spaces as spaces, no trailing ones). */
const lines = async (page: Page) =>
  (await terminal(page).locator(".xterm-rows > div").allTextContents()).map((row) =>
    row.replaceAll("\u00a0", " ").trimEnd(),
  );
const expectLine = (page: Page, line: string | RegExp) =>
  expect
    .poll(
      async () =>
        (await lines(page)).some((each) => (typeof line === "string" ? each === line : line.test(each))),
      {
        message: `a line ${String(line)} on the terminal`,
      },
    )
    .toBe(true);

/** A tRPC mutation as an admin, through the API (what only an admin may make: a privileged container). */
const asAdmin = async (request: APIRequestContext, procedure: string, input: unknown) => {
  const response = await request.post(`/api/trpc/${procedure}`, {
    data: { json: input },
    headers: { authorization: `Bearer ${tokens().admin}` },
  });
  expect(response.status(), `${procedure}: ${await response.text()}`).toBe(200);
};

/** Types a command line into the focused terminal, as a person would. */
const run = async (page: Page, command: string) => {
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
};

/** Opens the Shell tab and waits until this page types in it, focused. */
const openShell = async (page: Page, name: string) => {
  await page.goto(`/containers/${name}/shell`);
  await expect(roleBar(page)).toHaveText("You are typing.");
  await terminal(page).click();
};

test("a command typed in the Shell tab runs in the container, and Escape then Tab leaves the terminal", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  await page.goto(`/containers/${name}`);
  await containerTab(page, "Shell").click();
  await expect(page).toHaveURL(`/containers/${name}/shell`);
  await expect(page).toHaveTitle(new RegExp(`Shell of ${name}`));
  await expect(page.getByRole("heading", { name: "Shell", level: 2 })).toBeVisible();
  await expect(roleBar(page)).toHaveText("You are typing.");
  await expect(page.getByRole("textbox", { name: `Terminal: shell of ${name}` })).toBeAttached();
  await expect(page.getByText("Press Escape then Tab to leave the terminal.")).toBeVisible();

  await terminal(page).click();
  await run(page, "echo $((6*7))");
  await expectLine(page, "42");
  // Colours: a 256-colour escape reaches the terminal (TERM=xterm-256color), and it draws it.
  await run(page, "printf '\\033[38;5;208morange\\033[0m\\n'");
  await expectLine(page, "orange");
  await expect(
    terminal(page)
      .locator(".xterm-rows span", { hasText: /^orange$/ })
      .first(),
  ).toHaveClass(/xterm-fg-208/);

  // Tab alone goes to the shell; Escape then Tab goes to the next thing on the page.
  const input = page.getByRole("textbox", { name: `Terminal: shell of ${name}` });
  await expect(input).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(input).toBeFocused();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  await expect(input).not.toBeFocused();
});

test("a reload reattaches to the same shell, with its earlier output and its variables", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  await openShell(page, name);
  await run(page, "ATELIER_MARK=kept-$((20+3))");
  await run(page, "echo before-$((1+1))");
  await expectLine(page, "before-2");

  await page.reload();
  await expect(roleBar(page)).toHaveText("You are typing.");
  // The server's screen, repainted: what was there before the reload.
  await expectLine(page, "before-2");
  await terminal(page).click();
  await run(page, 'echo "mark=$ATELIER_MARK"');
  await expectLine(page, "mark=kept-23");
  // One session, the same one: the list shows it once, here.
  const mine = page.getByTestId("console-session").filter({ hasText: "operator (you)" });
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText("Shown here");
});

test("a dropped connection comes back by itself to the same shell", async ({ page, createContainer }) => {
  const name = await createContainer({ start: true });
  // Every terminal socket of the page goes through Playwright, which can cut it as a network would.
  const sockets: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/api\/console\?/, (socket) => {
    socket.connectToServer();
    sockets.push(socket);
  });
  await openShell(page, name);
  await run(page, "DROP_MARK=still-$((3+4))");
  await run(page, "echo set-$((2*5))");
  await expectLine(page, "set-10");

  await sockets.at(-1)?.close({ code: 4000, reason: "network gone" });
  // A new socket, with a fresh ticket, to the same session: its variable is there.
  await expect.poll(() => sockets.length).toBe(2);
  await expect(roleBar(page)).toHaveText("You are typing.");
  await expectLine(page, "set-10");
  await terminal(page).click();
  await run(page, 'echo "mark=$DROP_MARK"');
  await expectLine(page, "mark=still-7");
});

test("a second user watches a shell live and read-only, then takes it over and types", async ({
  page,
  browser,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  await openShell(page, name);
  await run(page, "echo first-$((2+3))");
  await expectLine(page, "first-5");

  const admin = await browser.newContext({ storageState: "e2e/.auth/admin.json" });
  try {
    const other = await admin.newPage();
    await other.goto(`/containers/${name}/shell`);
    // The admin's own shell opens first; the operator's is in the list, to join.
    await expect(roleBar(other)).toHaveText("You are typing.");
    await other.getByRole("button", { name: /^Join the shell session of operator / }).click();
    await expect(roleBar(other)).toHaveText(/^Watching operator.s session \(read-only\)\.$/);
    await expectLine(other, "first-5");

    // Live: what the operator types shows on the admin's screen as it happens.
    await run(page, "echo live-$((3*3))");
    await expectLine(other, "live-9");

    // A watcher's keys go nowhere.
    await terminal(other).click();
    await run(other, "echo ignored-$((2*2))");
    await run(page, "echo after-$((4*4))");
    await expectLine(other, "after-16");
    expect((await lines(page)).some((line) => line.includes("ignored"))).toBe(false);

    // Take over: the admin types, the operator watches.
    await other.getByRole("button", { name: "Take over" }).click();
    await expect(roleBar(other)).toHaveText("You are typing.");
    await expect(roleBar(page)).toHaveText(/^Watching admin.s session \(read-only\)\.$/);
    await terminal(other).click();
    await run(other, "echo taken-$((5*5))");
    await expectLine(other, "taken-25");
    await expectLine(page, "taken-25");
  } finally {
    await admin.close();
  }
});

test("the writer's window decides the shell's size", async ({ page, createContainer }) => {
  const name = await createContainer({ start: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await openShell(page, name);
  const sizes = async () =>
    (await lines(page)).filter((line) => /^\d+ \d+$/.test(line)).map((line) => line.split(" ").map(Number));

  await run(page, "clear; stty size");
  await expect.poll(async () => (await sizes()).length).toBe(1);
  const [[rows, cols] = []] = await sizes();
  expect(cols).toBeGreaterThan(60);

  await page.setViewportSize({ width: 800, height: 700 });
  await terminal(page).click();
  await run(page, "clear; stty size");
  await expect
    .poll(async () => {
      const [[newRows, newCols] = []] = await sizes();
      return newCols !== undefined && newRows !== undefined && newCols < (cols ?? 0) && newRows < (rows ?? 0);
    })
    .toBe(true);
});

test("a session closed from the list says who closed it, and a new shell starts", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  await openShell(page, name);
  await run(page, "echo open-$((1+6))");
  await expectLine(page, "open-7");
  await page.getByRole("button", { name: /^Close the shell session of operator / }).click();
  const dialog = page.getByRole("dialog", { name: "Close this session?" });
  await dialog.getByRole("button", { name: "Close session" }).click();
  await expect(roleBar(page)).toHaveText("The session was closed by operator.");
  await page.getByRole("button", { name: "New shell" }).first().click();
  await expect(roleBar(page)).toHaveText("You are typing.");
  await terminal(page).click();
  await run(page, "echo again-$((4+4))");
  await expectLine(page, "again-8");
});

test("the shell settings refuse a relative shell, keep an absolute one, and new shells start with it", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  await page.goto(`/containers/${name}/shell`);
  const settings = page.getByRole("form", { name: "Shell settings" });
  await expect(settings.getByLabel("User")).toHaveValue("root");
  await expect(settings.getByLabel("Shell")).toHaveValue("auto");
  await settings.getByLabel("Shell").fill("bin/sh");
  await settings.getByRole("button", { name: "Save" }).click();
  await expect(settings.getByText('Enter "auto" or an absolute path inside the container')).toBeVisible();
  await settings.getByLabel("Shell").fill("/bin/sh");
  await settings.getByRole("button", { name: "Save" }).click();
  await expect(settings.getByText("Saved.")).toBeVisible();
  await page.reload();
  await expect(settings.getByLabel("Shell")).toHaveValue("/bin/sh");
  await page.getByRole("button", { name: "New shell" }).first().click();
  await expect(roleBar(page)).toHaveText("You are typing.");
  await terminal(page).click();
  await run(page, 'echo "shell=$SHELL"');
  await expectLine(page, "shell=/bin/sh");
});

test("the Console tab is the container's console", async ({ page, createContainer }) => {
  const name = await createContainer({ start: true });
  await page.goto(`/containers/${name}/console`);
  await expect(page.getByRole("heading", { name: "Console", level: 2 })).toBeVisible();
  await expect(roleBar(page)).toHaveText("You are typing.");
  await terminal(page).click();
  await page.keyboard.press("Enter");
  await run(page, "echo console-$((6*7))");
  await expectLine(page, "console-42");
});

test("a stopped container's tabs say it must run, and open nothing", async ({ page, createContainer }) => {
  const name = await createContainer();
  for (const tab of ["shell", "console"]) {
    await page.goto(`/containers/${name}/${tab}`);
    await expect(page.getByTestId("console-access")).toContainText(`${name} is not running.`);
    await expect(terminal(page)).toHaveCount(0);
  }
});

test("a privileged container's tabs warn that its root is one escape from host root, and open only for admins", async ({
  page,
  browser,
  request,
  containerName: name,
}) => {
  test.setTimeout(120_000);
  await asAdmin(request, "containers.create", { name, template: "busybox", privileged: true });
  await asAdmin(request, "containers.start", { name });

  // An operator: the warning, that only admins may, and no terminal.
  await page.goto(`/containers/${name}/shell`);
  const warning = page.getByTestId("console-privileged");
  await expect(warning).toContainText("root in it is one LXC or kernel escape from host root");
  await expect(warning).toContainText(
    "Only admins may open a shell or the console of a privileged container.",
  );
  await expect(terminal(page)).toHaveCount(0);

  // An admin (signed in with a password): the same warning, and the shell.
  const admin = await browser.newContext({ storageState: "e2e/.auth/admin.json" });
  try {
    const other = await admin.newPage();
    await other.goto(`/containers/${name}/shell`);
    await expect(other.getByTestId("console-privileged")).toContainText(
      "one LXC or kernel escape from host root",
    );
    await expect(other.getByTestId("console-privileged")).not.toContainText("Only admins");
    await expect(roleBar(other)).toHaveText("You are typing.");
    await terminal(other).click();
    await run(other, "echo root-$((40+2))");
    await expectLine(other, "root-42");
  } finally {
    await admin.close();
  }
});

test.describe("as a viewer", () => {
  test.use({ storageState: "e2e/.auth/viewer.json" });

  test("a viewer sees that shells need the operator role, and no terminal", async ({
    page,
    createContainer,
  }) => {
    const name = await createContainer({ start: true });
    for (const tab of ["shell", "console"]) {
      await page.goto(`/containers/${name}/${tab}`);
      await expect(page.getByTestId("console-access")).toHaveText(
        /^Shells and consoles need the operator role/,
      );
      await expect(terminal(page)).toHaveCount(0);
      await expect(page.getByRole("heading", { name: "Open sessions" })).toHaveCount(0);
    }
  });
});

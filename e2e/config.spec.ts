import { appendFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { lxcPath } from "../tests/lxc-oracle";
import { containerTab, expect, test } from "./fixtures";

/** Config editing in the browser: settings form, raw editor, review with diff, live apply, history, restore. */
const configFile = (name: string) => path.join(lxcPath(), name, "config");
const BIND_ROOT = path.join(process.env.ATELIER_TEST_DIR ?? "/tmp", "binds");
// CodeMirror puts in the page only the lines near the window: with the container's header and tabs above it, the
// text's last lines would be below a 720-pixel window, and the assertions on the text read the page.
test.use({ viewport: { width: 1280, height: 1600 } });

test("change a running container's memory limit live, see it in the cgroup, and restore the previous version", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  const original = await readFile(configFile(name), "utf8");
  await page.goto(`/containers/${name}`);
  await containerTab(page, "Config").click();
  await expect(page).toHaveURL(`/containers/${name}/config`);
  await expect(page.getByRole("heading", { name: `Config of ${name}`, level: 2 })).toBeVisible();

  const memory = page.getByLabel("Memory limit");
  await memory.fill("96M");
  await expect(page.getByText("lxc.cgroup.memory.limit_in_bytes = 96M", { exact: true })).toBeVisible();
  // The raw text has the same line: both editors edit one draft.
  await page.getByRole("tab", { name: "Text" }).click();
  await expect(page.getByTestId("raw-editor")).toContainText("lxc.cgroup.memory.limit_in_bytes = 96M");
  await page.getByRole("tab", { name: "Settings" }).click();
  await expect(page.getByLabel("Memory limit")).toHaveValue("96M");

  await page.getByRole("button", { name: "Review and save" }).click();
  const dialog = page.getByRole("dialog", { name: `Save these changes to ${name}?` });
  await expect(dialog.getByTestId("config-diff")).toContainText("+lxc.cgroup.memory.limit_in_bytes = 96M");
  await expect(dialog.getByLabel("Apply the live changes to the running container now")).toBeChecked();
  expect(await readFile(configFile(name), "utf8")).toBe(original);
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toContainText(
    "applied to the running container now",
  );
  expect(await readFile(configFile(name), "utf8")).toContain("lxc.cgroup.memory.limit_in_bytes = 96M");
  const limit = await execa("lxc-cgroup", ["-P", lxcPath(), "-n", name, "memory.limit_in_bytes"]);
  expect(Number(limit.stdout)).toBe(96 * 1024 * 1024);

  await page.getByRole("tab", { name: "History" }).click();
  const versions = page.getByRole("list", { name: "Versions, newest first" }).getByRole("listitem");
  await expect(versions).toHaveCount(2);
  await expect(versions.first()).toContainText("operator · saved");
  await versions
    .filter({ hasText: "as first found on disk" })
    .getByRole("button", { name: "Restore this version…" })
    .click();
  const confirm = page.getByRole("dialog", { name: "Restore this version?" });
  await expect(confirm.getByTestId("config-diff")).toContainText("-lxc.cgroup.memory.limit_in_bytes = 96M");
  await confirm.getByRole("button", { name: "Restore" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect.poll(() => readFile(configFile(name), "utf8")).toBe(original);
  await expect(versions).toHaveCount(3);
});

test("the raw editor shows problems on their line, and the review refuses an invalid config", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer();
  const original = await readFile(configFile(name), "utf8");
  await page.goto(`/containers/${name}/config`);
  await page.getByRole("tab", { name: "Text" }).click();
  const editor = page.getByRole("textbox", { name: `Config of ${name}` });
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("lxc.uts.nmae = web\n");
  const lines = original.split("\n").length;
  await expect(page.getByRole("list", { name: "Problems" })).toContainText(
    `Line ${lines}: Unknown key lxc.uts.nmae: did you mean lxc.uts.name?`,
  );
  await page.getByRole("button", { name: "Review and save" }).click();
  const dialog = page.getByRole("dialog", { name: "This config cannot be saved" });
  await expect(dialog.getByRole("alert")).toContainText("did you mean lxc.uts.name?");
  await expect(dialog.getByRole("button", { name: "Save" })).toBeDisabled();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: "Discard changes" }).click();
  expect(await readFile(configFile(name), "utf8")).toBe(original);
});

test("the seed's lxc.onboot is offered as lxc.start.auto, one click in the import and in the editor", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer();
  const original = await readFile(configFile(name), "utf8");
  await page.goto(`/containers/${name}/config`);
  await page.getByRole("button", { name: "Import…" }).click();
  await page.getByLabel("Or paste it").fill(`${original}lxc.onboot = yes\n`);
  const analysis = page.getByTestId("import-analysis");
  await expect(analysis).toContainText("lxc.onboot is not an LXC key");
  await analysis.getByRole("button", { name: "Replace with lxc.start.auto = 1" }).click();
  await expect(page.getByLabel("Or paste it")).toHaveValue(`${original}lxc.start.auto = 1\n`);
  await expect(analysis).not.toContainText("lxc.onboot");
  await page.getByRole("button", { name: "Load into the editor" }).click();
  await expect(page.getByText("No error found")).toBeVisible();

  // Typed in the editor: the same finding, its fix in the problem list.
  const editor = page.getByRole("textbox", { name: `Config of ${name}` });
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("lxc.onboot = no\n");
  const problems = page.getByRole("list", { name: "Problems" });
  await expect(problems).toContainText("lxc.start.auto = 0");
  await problems.getByRole("button", { name: "Replace with lxc.start.auto = 0" }).click();
  await expect(page.getByTestId("raw-editor")).toContainText("lxc.start.auto = 0");
  await expect(page.getByTestId("raw-editor")).not.toContainText("lxc.onboot");
  await page.getByRole("button", { name: "Discard changes" }).click();
  expect(await readFile(configFile(name), "utf8")).toBe(original);
});

test.describe("as an admin", () => {
  // The tutorial's config allows the host's tty0 and tty1 and drops no capability: lines only an admin may write.
  test.use({ storageState: "e2e/.auth/admin.json" });

  test("import the seed tutorial's legacy config: see what is legacy and ignored, migrate, review and save", async ({
    page,
    createContainer,
  }) => {
    const name = await createContainer();
    await page.goto(`/containers/${name}/config`);
    await page.getByRole("button", { name: "Import…" }).click();
    const seed = await readFile("server/lxc-config/__fixtures__/seed-legacy.conf");
    await page
      .getByLabel("From a file")
      .setInputFiles({ name: "vm0.conf", mimeType: "text/plain", buffer: seed });
    await expect(page.getByTestId("import-analysis")).toContainText(
      "11 legacy lines (can be migrated), 3 lines LXC ignores, 0 invalid lines.",
    );
    await page.getByRole("button", { name: "Load into the editor" }).click();
    await expect(page.getByRole("tab", { name: "Text" })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("list", { name: "Problems" })).toContainText("lxc.utsname is a legacy key");
    await page.getByRole("button", { name: "Migrate legacy keys" }).click();
    await expect(page.getByText("No error found")).toBeVisible();
    await expect(page.getByTestId("raw-editor")).toContainText("lxc.net.0.ipv4.address = 192.168.1.100/24");

    await page.getByRole("button", { name: "Review and save" }).click();
    const dialog = page.getByRole("dialog", { name: `Save these changes to ${name}?` });
    await expect(dialog.getByTestId("config-diff")).toContainText("+lxc.uts.name = vm0");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    const written = await readFile(configFile(name), "utf8");
    expect(written).toContain("lxc.uts.name = vm0\nlxc.tty.max = 4");
    expect(written).not.toContain("lxc.network");
    await page.getByRole("tab", { name: "History" }).click();
    await expect(
      page.getByRole("list", { name: "Versions, newest first" }).getByRole("listitem").first(),
    ).toContainText("imported");
  });
});

test("an operator sees the lines only an admin may change, and a save that adds one is refused naming it", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer();
  // As an admin would have written it (here, on the host): a hook.
  await appendFile(configFile(name), "lxc.hook.pre-start = /bin/true\n");
  await page.goto(`/containers/${name}/config`);
  const locked = page.getByTestId("locked-lines");
  await expect(locked).toContainText("only an admin may change");
  await locked.getByText(/only an admin may change/).click();
  await expect(locked.getByRole("list", { name: "Lines only an admin may change" })).toContainText(
    "lxc.hook.pre-start (a hook runs as root on the host)",
  );
  await page.getByRole("tab", { name: "Text" }).click();
  await page.getByRole("textbox", { name: `Config of ${name}` }).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("lxc.hook.start-host = /bin/sh -c id\n");
  await page.getByRole("button", { name: "Review and save" }).click();
  // The review says so before anything is sent to be written (the server refuses it anyway: tests/security).
  const dialog = page.getByRole("dialog", { name: "This config cannot be saved" });
  await expect(dialog.getByRole("alert")).toContainText(
    "Needs the admin role: a hook runs as root on the host",
  );
  await expect(dialog.getByRole("button", { name: "Save" })).toBeDisabled();
  expect(await readFile(configFile(name), "utf8")).not.toContain("start-host");
});

test("the settings form adds and reorders interfaces and adds a bind mount picked on the host, and the text keeps every other line", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer();
  await page.goto(`/containers/${name}/config`);
  // A comment typed in the text editor survives edits made in the form.
  await page.getByRole("tab", { name: "Text" }).click();
  await page.getByRole("textbox", { name: `Config of ${name}` }).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("# kept by the form\n");
  await page.getByRole("tab", { name: "Settings" }).click();

  await page.getByRole("button", { name: "Add an interface" }).click();
  await expect(page.getByRole("heading", { name: "Interface 1" })).toBeVisible();
  await page.getByRole("button", { name: "Move interface 1 up" }).click();
  // Operators browse and bind-mount only inside ATELIER_BIND_ROOTS (playwright.config.ts sets one).
  await mkdir(path.join(BIND_ROOT, "tmp"), { recursive: true });
  await page.getByRole("button", { name: "Browse…" }).click();
  const picker = page.getByTestId("host-picker");
  await picker.getByRole("button", { name: "tmp/" }).click();
  await expect(picker).toContainText(`${BIND_ROOT}/tmp`);
  await picker.getByRole("button", { name: "Use this directory" }).click();
  await expect(page.getByLabel("Host directory")).toHaveValue(`${BIND_ROOT}/tmp`);
  await page.getByLabel("Inside the container").fill("mnt/host-tmp");
  await page.getByLabel("Read-only").check();
  await page.getByRole("button", { name: "Add the bind mount" }).click();
  await expect(
    page.getByText(`lxc.mount.entry = ${BIND_ROOT}/tmp mnt/host-tmp none bind,ro 0 0`, {
      exact: true,
    }),
  ).toBeVisible();

  await page.getByRole("tab", { name: "Text" }).click();
  const text = page.getByTestId("raw-editor");
  await expect(text).toContainText("# kept by the form");
  // The new interface is now 0 (eth1, veth), the template's is 1 (its link atbr0).
  await expect(text).toContainText("lxc.net.1.link = atbr0");
  await expect(text).toContainText("lxc.net.0.name = eth1");
  await page.getByRole("button", { name: "Review and save" }).click();
  const dialog = page.getByRole("dialog", { name: `Save these changes to ${name}?` });
  await expect(dialog.getByTestId("config-diff")).toContainText(
    `+lxc.mount.entry = ${BIND_ROOT}/tmp mnt/host-tmp none bind,ro 0 0`,
  );
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  const written = await readFile(configFile(name), "utf8");
  expect(written).toContain("# kept by the form");
  expect(written).toContain("lxc.net.1.type = veth\nlxc.net.1.link = atbr0");
});

test("create a new container from an imported config", async ({ page, containerName }) => {
  await page.goto("/containers/new");
  await page.getByLabel("Name").fill(containerName);
  await page.getByLabel("Busybox with an imported config").check();
  await page
    .getByLabel("Or paste it")
    .fill(
      "// from another machine\nlxc.utsname = old\nlxc.net.0.type = veth\nlxc.net.0.link = atbr0\nlxc.net.0.flags = up\nlxc.tty.max = 2\n",
    );
  await expect(page.getByTestId("import-analysis")).toContainText(
    "1 legacy line (can be migrated), 1 line LXC ignores",
  );
  await page.getByRole("button", { name: "Load into the editor" }).click();
  await page.getByRole("button", { name: "Migrate legacy keys" }).click();
  await expect(page.getByTestId("imported-summary")).toContainText("0 error(s)");
  await page.getByRole("button", { name: "Create container" }).click();
  await expect(page.getByRole("heading", { name: containerName, level: 1 })).toBeVisible();
  const written = await readFile(configFile(containerName), "utf8");
  expect(written).toContain("lxc.tty.max = 2");
  expect(written).toContain(`lxc.uts.name = ${containerName}`);
});

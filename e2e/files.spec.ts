import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { attach } from "../tests/containers";
import { forceDestroy, lxcPath, uniqueName } from "../tests/lxc-oracle";
import { containerTab, expect, test, tokens } from "./fixtures";

/**
 * The Files tab on real busybox containers: browse, edit a file (read back inside the running container with
 * lxc-attach), a conflict, upload by the picker and by a drop, download, rename, chmod and delete with their
 * confirmations (checked in the stopped container's rootfs), a viewer's read-only tab, axe in light and dark.
 */
// CodeMirror puts only the lines near the window in the page; a tall window keeps the short files whole.
test.use({ viewport: { width: 1280, height: 1400 } });

const rootfsOf = (name: string) => path.join(lxcPath(), name, "rootfs");
const row = (page: Page, entry: string) => page.locator(`tr[data-entry="${entry}"]`);
const live = (page: Page) => page.getByTestId("files-live");

test("browse /etc, create and edit /etc/hostname in a running container, and read it back inside", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  await page.goto(`/containers/${name}`);
  await containerTab(page, "Files").click();
  await expect(page).toHaveURL(`/containers/${name}/files`);
  await expect(page.getByTestId("files-where")).toHaveText(/Live, inside the running container/);

  // Into /etc from the keyboard: the first name takes focus, arrows move, Enter opens.
  await expect(live(page)).toHaveText(/^\/: \d+ entries$/);
  await page.getByRole("link", { name: "etc", exact: true }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\?path=%2Fetc$/);
  await expect(live(page)).toHaveText(/^\/etc: \d+ entries$/);
  await expect(row(page, "passwd")).toContainText("root:root");
  await expect(row(page, "passwd")).toContainText("-rw-r--r--");
  await expect(row(page, "init.d")).toContainText("drwx");
  // Backspace goes up a directory.
  await page.getByRole("link", { name: "passwd", exact: true }).focus();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Backspace");
  await expect(page).toHaveURL(/\?path=%2F$/);

  // The busybox template writes no /etc/hostname: its shortcut opens it empty, to be created.
  await page
    .getByRole("navigation", { name: "Shortcuts" })
    .getByRole("button", { name: /^hostname/ })
    .click();
  await expect(page.getByText("/etc/hostname does not exist yet")).toBeVisible();
  const editor = page.getByRole("textbox", { name: "Content of /etc/hostname" });
  await editor.click();
  await page.keyboard.type("box-one");
  await page.getByRole("button", { name: "Create the file" }).click();
  await expect.poll(async () => (await attach(name, ["cat", "/etc/hostname"])).stdout).toBe("box-one");

  // Edited and saved: the guest reads the new text.
  await expect(page.getByRole("button", { name: "Save", exact: true })).toBeDisabled();
  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.type("box-two\n");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("/etc/hostname saved.")).toBeVisible();
  expect((await attach(name, ["cat", "/etc/hostname"])).stdout).toBe("box-two");

  // Changed inside meanwhile: the save says so, and overwrites only when asked.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  expect((await attach(name, ["sh", "-c", "echo from-inside > /etc/hostname"])).exitCode).toBe(0);
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("mine");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const conflict = page.getByRole("alert").filter({ hasText: "changed since you opened it" });
  await expect(conflict).toBeVisible();
  expect((await attach(name, ["cat", "/etc/hostname"])).stdout).toBe("from-inside");
  await conflict.getByRole("button", { name: "Overwrite with my version" }).click();
  await expect.poll(async () => (await attach(name, ["cat", "/etc/hostname"])).stdout).toBe("box-two\nmine");

  // Unsaved edits are not lost by a click elsewhere without a question.
  await editor.click();
  await page.keyboard.type("!");
  await page.getByRole("button", { name: "Back to the directory" }).click();
  const leave = page.getByRole("dialog", { name: "Leave without saving?" });
  await expect(leave).toBeVisible();
  await leave.getByRole("button", { name: "Discard my changes" }).click();
  await expect(page).toHaveURL(/\?path=%2Fetc$/);
  await expect(row(page, "hostname")).toBeVisible();
});

test("upload by the picker and by a drop, download, rename, chmod and delete in a stopped container", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer();
  const rootfs = rootfsOf(name);
  await page.goto(`/containers/${name}/files?path=%2Ftmp`);
  await expect(page.getByTestId("files-where")).toHaveText(/Stopped: you are editing its root filesystem/);
  await expect(live(page)).toHaveText(/^\/tmp: /);

  // The picker, two files at once.
  await page.getByLabel("Choose files").setInputFiles([
    { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello from the browser\n") },
    { name: "data.bin", mimeType: "application/octet-stream", buffer: Buffer.from([0, 1, 2, 255]) },
  ]);
  const uploads = page.getByRole("list", { name: "Uploads" });
  await expect(uploads.locator('li[data-upload="notes.txt"]')).toContainText("Uploaded");
  await expect(uploads.locator('li[data-upload="data.bin"]')).toContainText("Uploaded");
  await expect(row(page, "notes.txt")).toBeVisible();
  expect(await readFile(path.join(rootfs, "tmp/notes.txt"), "utf8")).toBe("hello from the browser\n");
  expect([...(await readFile(path.join(rootfs, "tmp/data.bin")))]).toEqual([0, 1, 2, 255]);

  // A drop on the zone; the name is taken, so it asks before replacing.
  const transfer = await page.evaluateHandle(() => {
    const data = new DataTransfer();
    data.items.add(new File(["dropped text\n"], "notes.txt", { type: "text/plain" }));
    return data;
  });
  await page.getByTestId("upload-zone").dispatchEvent("drop", { dataTransfer: transfer });
  const dropped = uploads.locator('li[data-upload="notes.txt"]').last();
  await expect(dropped).toContainText("Already exists: replace it?");
  expect(await readFile(path.join(rootfs, "tmp/notes.txt"), "utf8")).toBe("hello from the browser\n");
  await dropped.getByRole("button", { name: "Replace /tmp/notes.txt" }).click();
  await expect(dropped).toContainText("Uploaded");
  expect(await readFile(path.join(rootfs, "tmp/notes.txt"), "utf8")).toBe("dropped text\n");

  // Download: the file as it is, the directory as a tar.
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    row(page, "notes.txt").getByRole("link", { name: "Download notes.txt" }).click(),
  ]);
  expect(file.suggestedFilename()).toBe("notes.txt");
  expect(await readFile((await file.path()) ?? "", "utf8")).toBe("dropped text\n");
  const [tar] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download this directory (.tar)" }).click(),
  ]);
  expect(tar.suggestedFilename()).toBe("tmp.tar");
  expect((await readFile((await tar.path()) ?? "")).includes(Buffer.from("notes.txt"))).toBe(true);

  // Rename.
  await row(page, "notes.txt").getByRole("button", { name: "Rename notes.txt" }).click();
  const rename = page.getByRole("dialog", { name: "Rename /tmp/notes.txt" });
  await rename.getByLabel("Name").fill("kept.txt");
  await rename.getByRole("button", { name: "Rename" }).click();
  await expect(row(page, "kept.txt")).toBeVisible();
  await expect(row(page, "notes.txt")).toHaveCount(0);
  expect(await readFile(path.join(rootfs, "tmp/kept.txt"), "utf8")).toBe("dropped text\n");

  // chmod from the checkboxes and the octal field.
  await row(page, "kept.txt").getByRole("button", { name: "Mode kept.txt" }).click();
  const chmod = page.getByRole("dialog", { name: "Mode of /tmp/kept.txt" });
  await chmod.getByLabel("Octal").fill("600");
  await expect(chmod.getByRole("checkbox", { name: "Others: Read" })).not.toBeChecked();
  await chmod.getByRole("checkbox", { name: "Owner: Execute" }).check();
  await expect(chmod.getByLabel("Octal")).toHaveValue("0700");
  await chmod.getByRole("button", { name: "Change the mode" }).click();
  await expect(row(page, "kept.txt")).toContainText("-rwx------");
  expect((await stat(path.join(rootfs, "tmp/kept.txt"))).mode & 0o7777).toBe(0o700);

  // Delete, confirmed; a directory's confirmation says it is recursive.
  await row(page, "kept.txt").getByRole("button", { name: "Delete kept.txt" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete /tmp/kept.txt?" });
  await expect(confirm).toContainText("The file /tmp/kept.txt is deleted");
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(row(page, "kept.txt")).toHaveCount(0);
  await expect(stat(path.join(rootfs, "tmp/kept.txt"))).rejects.toThrow();

  await page.getByRole("button", { name: "New directory" }).click();
  const mkdir = page.getByRole("dialog", { name: "New directory in /tmp" });
  await mkdir.getByLabel("Name").fill("sub");
  await mkdir.getByRole("button", { name: "Create the directory" }).click();
  await expect(row(page, "sub")).toBeVisible();
  await writeFile(path.join(rootfs, "tmp/sub/inner"), "x");
  await row(page, "sub").getByRole("button", { name: "Delete sub" }).click();
  const recursive = page.getByRole("dialog", { name: "Delete /tmp/sub?" });
  await expect(recursive).toContainText("with everything in it, recursively");
  await recursive.getByRole("button", { name: "Delete" }).click();
  await expect(row(page, "sub")).toHaveCount(0);
  await expect(stat(path.join(rootfs, "tmp/sub"))).rejects.toThrow();
});

test("a privileged container's files are an admin's to change: an operator is told so and gets no control", async ({
  page,
  browser,
  request,
}) => {
  const name = uniqueName("e2e");
  try {
    const made = await request.post("/api/trpc/containers.create", {
      data: { json: { name, template: "busybox", privileged: true } },
      headers: { authorization: `Bearer ${tokens().admin}` },
    });
    expect(made.status(), await made.text()).toBe(200);
    await page.goto(`/containers/${name}/files?path=%2Ftmp`);
    await expect(page.getByTestId("files-privileged")).toContainText("only an admin may change its files");
    await expect(live(page)).toHaveText(/^\/tmp: /);
    await expect(page.getByRole("button", { name: "New file" })).toHaveCount(0);
    await expect(page.getByTestId("upload-zone")).toHaveCount(0);

    const admin = await browser.newContext({ storageState: "e2e/.auth/admin.json" });
    const adminPage = await admin.newPage();
    await adminPage.goto(`/containers/${name}/files?path=%2Ftmp`);
    await expect(adminPage.getByTestId("files-privileged")).toContainText("acts with the host’s full power");
    await adminPage.getByRole("button", { name: "New file" }).click();
    const dialog = adminPage.getByRole("dialog", { name: "New file in /tmp" });
    await dialog.getByLabel("Name").fill("by-admin");
    await dialog.getByRole("button", { name: "Create the file" }).click();
    await expect(row(adminPage, "by-admin")).toBeVisible();
    expect(await readFile(path.join(rootfsOf(name), "tmp/by-admin"), "utf8")).toBe("");
    await admin.close();
  } finally {
    await forceDestroy(name);
  }
});

test.describe("as a viewer", () => {
  test.use({ storageState: "e2e/.auth/viewer.json" });

  test("a viewer browses and downloads, with no control that changes a file", async ({
    page,
    createContainer,
  }) => {
    const name = await createContainer();
    await page.goto(`/containers/${name}/files?path=%2Fetc`);
    await expect(live(page)).toHaveText(/^\/etc: \d+ entries$/);
    await expect(page.getByTestId("files-viewer")).toBeVisible();
    await expect(row(page, "passwd").getByRole("link", { name: "Download passwd" })).toBeVisible();
    for (const label of ["New file", "New directory", "Choose files", "Repoint init"])
      await expect(page.getByRole("button", { name: label })).toHaveCount(0);
    await expect(page.getByTestId("upload-zone")).toHaveCount(0);
    await expect(row(page, "passwd").getByRole("button")).toHaveCount(0);
    await page.getByRole("link", { name: "passwd", exact: true }).click();
    await expect(page.getByRole("textbox", { name: "Content of /etc/passwd" })).toHaveAttribute(
      "aria-readonly",
      "true",
    );
    await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);
  });
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`the Files tab and its dialogs have no serious accessibility violations (${colorScheme})`, async ({
    page,
    createContainer,
  }) => {
    await page.emulateMedia({ colorScheme });
    const name = await createContainer();
    const check = async (what: string) => {
      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(
        serious.map((v) => `${what}: ${v.id} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
      ).toEqual([]);
    };
    await page.goto(`/containers/${name}/files?path=%2Fetc`);
    await expect(live(page)).toHaveText(/^\/etc: /);
    await check("listing");
    await row(page, "passwd").getByRole("button", { name: "Mode passwd" }).click();
    await expect(page.getByRole("dialog", { name: "Mode of /etc/passwd" })).toBeVisible();
    await check("chmod dialog");
    await page.keyboard.press("Escape");
    await page.getByRole("link", { name: "passwd", exact: true }).click();
    await expect(page.getByRole("textbox", { name: "Content of /etc/passwd" })).toBeVisible();
    await check("editor");
  });
}

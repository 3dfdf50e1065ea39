import type { Locator } from "@playwright/test";
import { execa } from "execa";
import { lxcPath } from "../tests/lxc-oracle";
import { allocateMemory, startCpuBurner } from "../tests/workloads";
import { expect, test } from "./fixtures";

/** Usage in the browser: live figures and charts that move every second, ranges, the host overview. */
const lxc = (tool: string, ...args: string[]) => execa(tool, ["-P", lxcPath(), ...args]);
const pointsOf = async (locator: Locator) => Number(await locator.getAttribute("data-points"));
/** The time of a chart's newest point: it moves every second while the chart is live. */
const lastOf = async (locator: Locator) => Number(await locator.getAttribute("data-last"));

test("the detail page shows live usage, charts that move every second, and every range", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  await startCpuBurner(name);
  await page.goto(`/containers/${name}/usage`);

  const usage = page.getByRole("region", { name: "Usage" });
  await expect(usage.getByTestId("usage-now")).toBeVisible();
  // A busy loop: well above zero once two samples give a rate.
  await expect(usage.getByTestId("cpu-now")).toHaveText(/^(\d{2,3}|[1-9]\.\d) %$/, { timeout: 15_000 });
  await expect(usage.getByTestId("memory-now")).toHaveText(/(KiB|MiB)$/);

  const cpuChart = usage.getByRole("img", { name: /^CPU, % of the host/ });
  await expect(cpuChart).toBeVisible();
  await expect.poll(() => pointsOf(cpuChart)).toBeGreaterThan(1);
  const before = await lastOf(cpuChart);
  // Two new points within five seconds: the chart moves every second.
  await expect.poll(() => lastOf(cpuChart), { timeout: 5000 }).toBeGreaterThanOrEqual(before + 2000);
  // Pointing at the newest point shows its time and values.
  const width = (await cpuChart.boundingBox())?.width ?? 400;
  await cpuChart.hover({ position: { x: width - 80, y: 40 } });
  await expect(cpuChart.locator('[role="tooltip"]')).toContainText(/CPU: \d/);
  for (const title of ["Memory and its limit", "Processes", "Disk IO", "Network"]) {
    await expect(usage.getByRole("img", { name: new RegExp(`^${title}`) })).toBeVisible();
  }

  await usage.getByRole("button", { name: "24 hours" }).click();
  await expect(usage.getByRole("button", { name: "24 hours" })).toHaveAttribute("aria-pressed", "true");
  await expect(usage.locator("[data-resolution]")).toHaveAttribute("data-resolution", "60");
  await usage.getByRole("button", { name: "1 year" }).click();
  await expect(usage.locator("[data-resolution]")).toHaveAttribute("data-resolution", /^(3600|21600)$/);
  await usage.getByRole("button", { name: "1 hour" }).click();
  await expect(usage.locator("[data-resolution]")).toHaveAttribute("data-resolution", "1");
  await lxc("lxc-stop", "-n", name, "-k");
});

test("the list draws a sparkline per running container and the host page ranks them", async ({
  page,
  createContainer,
}) => {
  const name = await createContainer({ start: true });
  await startCpuBurner(name);
  await page.goto("/containers");
  const row = page.locator(`[data-container="${name}"]`);
  const sparkline = row.getByRole("img", { name: new RegExp(`^CPU of ${name} over the last minute`) });
  await expect(sparkline).toBeVisible({ timeout: 10_000 });
  const before = await lastOf(sparkline);
  await expect.poll(() => lastOf(sparkline), { timeout: 5000 }).toBeGreaterThan(before);

  await page.getByRole("link", { name: "Host", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Host", level: 1 })).toBeVisible();
  const totals = page.getByRole("definition").filter({ hasText: /%$/ }).first();
  await expect(totals).toBeVisible();
  await expect(page.getByText("Disk free (lxcpath)")).toBeVisible();
  const topCpu = page.getByRole("table", { name: "The running containers using the most CPU" });
  await expect(topCpu.getByRole("row").nth(1)).toContainText(name, { timeout: 10_000 });
  await lxc("lxc-stop", "-n", name, "-k");
});

test("the host page charts the host's history over every range", async ({ page }) => {
  await page.goto("/host");
  const history = page.getByRole("region", { name: "History" });
  const cpuChart = history.getByRole("img", { name: /^CPU, % of all CPUs/ });
  await expect(cpuChart).toBeVisible();
  await expect.poll(() => pointsOf(cpuChart), { timeout: 10_000 }).toBeGreaterThan(1);
  for (const title of ["Memory", "Load average", "Disk space of the container storage", "Network"]) {
    await expect(history.getByRole("img", { name: new RegExp(`^${title}`) })).toBeVisible();
  }
  await expect(history.locator("[data-resolution]")).toHaveAttribute("data-resolution", "1");
  await history.getByRole("button", { name: "7 days" }).click();
  await expect(history.getByRole("button", { name: "7 days" })).toHaveAttribute("aria-pressed", "true");
  await expect(history.locator("[data-resolution]")).toHaveAttribute("data-resolution", /^(60|300)$/);
  await history.getByRole("button", { name: "1 year" }).click();
  await expect(history.locator("[data-resolution]")).toHaveAttribute("data-resolution", /^(3600|21600)$/);
});

test("an OOM kill is announced and counted on the container's page", async ({ page, createContainer }) => {
  const name = await createContainer({ start: true });
  await page.goto(`/containers/${name}/usage`);
  const usage = page.getByRole("region", { name: "Usage" });
  await expect(usage.getByTestId("oom-now")).toHaveText("0");
  await lxc("lxc-cgroup", "-n", name, "memory.limit_in_bytes", "32M");
  expect(await allocateMemory(name, 80_000_000)).toBe(137);
  await expect(page.getByRole("status").filter({ hasText: `Out of memory in ${name}` })).toBeVisible();
  // One kill or more: the kernel may kill more than one of the processes it finds over the limit.
  await expect(usage.getByTestId("oom-now")).toHaveText(/^[1-9]\d*$/);
  await expect(usage.getByText("of 32.0 MiB")).toBeVisible({ timeout: 15_000 });
  await lxc("lxc-stop", "-n", name, "-k");
});

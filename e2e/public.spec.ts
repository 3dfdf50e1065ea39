import { expect, test } from "./fixtures";

/**
 * public/: the icons, the web app manifest and robots.txt are served to anyone (the sign-in page and a phone's home
 * screen need them before a session exists), and no page asks the browser for a file that is not there.
 */
const FILES: [string, RegExp][] = [
  ["/favicon.ico", /image\/(x-icon|vnd\.microsoft\.icon)/],
  ["/icon.svg", /image\/svg\+xml/],
  ["/icon-192.png", /image\/png/],
  ["/icon-512.png", /image\/png/],
  ["/apple-touch-icon.png", /image\/png/],
  ["/manifest.webmanifest", /application\/manifest\+json/],
  ["/robots.txt", /text\/plain/],
];

test.describe("without a session", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("the icons, the manifest and robots.txt are served, and robots.txt keeps the panel out of indexes", async ({
    request,
  }) => {
    for (const [path, type] of FILES) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(200);
      expect(response.headers()["content-type"], path).toMatch(type);
    }
    expect(await (await request.get("/robots.txt")).text()).toContain("Disallow: /");
    const manifest = (await (await request.get("/manifest.webmanifest")).json()) as {
      name: string;
      icons: { src: string }[];
    };
    expect(manifest.name).toBe("Atelier");
    for (const icon of manifest.icons) expect((await request.get(icon.src)).status(), icon.src).toBe(200);
  });
});

test("no page asks for a file that is not there (no 404 in the browser), and each names its icons", async ({
  page,
}) => {
  const missing: string[] = [];
  page.on("response", (response) => {
    if (response.status() === 404) missing.push(response.url());
  });
  for (const path of ["/", "/containers", "/containers/new", "/events", "/jobs", "/host", "/account"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", "/manifest.webmanifest");
    await expect(page.locator('link[rel="icon"]').first()).toBeAttached();
  }
  // The browser fetches the favicon on its own, after the page: give it the time to.
  await page.waitForTimeout(500);
  expect(missing).toEqual([]);
});

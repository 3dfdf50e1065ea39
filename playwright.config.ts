import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests in Debian's Chromium against the real server and real LXC. Run through
 * scripts/test-env.ts (npm run test:e2e): the server, the lxc tools and the browser all run in the test network
 * namespace, on its loopback.
 */
const port = 3100;

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/, use: { browserName: "chromium" } },
    {
      name: "chromium",
      dependencies: ["setup"],
      testIgnore: /network\.spec\.ts/,
      // Signed in as an operator unless a test says otherwise.
      use: { browserName: "chromium", storageState: "e2e/.auth/operator.json" },
    },
    {
      // Changing the namespace's addresses and routes makes Chromium abort what it is loading at that moment
      // (net::ERR_NETWORK_CHANGED) in every page: the host-network test runs alone, after all the others.
      name: "host-network",
      dependencies: ["chromium"],
      testMatch: /network\.spec\.ts/,
      use: { browserName: "chromium", storageState: "e2e/.auth/operator.json" },
    },
  ],
  webServer: {
    command: "npm start",
    url: `http://127.0.0.1:${port}/api/health`,
    env: {
      PORT: String(port),
      ATELIER_LOG_LEVEL: "debug",
      // Where operators may bind-mount from (the config test picks a directory in it): beside the data directory,
      // never in it (the settings refuse that).
      ATELIER_BIND_ROOTS: `${process.env.ATELIER_TEST_DIR ?? "/tmp"}/binds`,
      // /etc for network persistence: a directory the network test lays out like a Debian host.
      ATELIER_HOST_ROOT: `${process.env.ATELIER_DATA_DIR ?? "/tmp"}/hostroot`,
    },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});

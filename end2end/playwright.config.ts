// Playwright drives Debian's Chromium (Playwright's own browser download is not available here)
// against the release build, started by scripts/e2e-server.sh on a fresh SQLite file.
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3300);
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** The second server's port and zone (see tests/zone.spec.ts). */
export const zonePort = port + 1;
export const SHOP_ZONE = "Pacific/Kiritimati";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-quic",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "js", use: { ...devices["Desktop Chrome"], javaScriptEnabled: true } },
    { name: "no-js", use: { ...devices["Desktop Chrome"], javaScriptEnabled: false } },
    { name: "phone", use: { ...devices["Pixel 5"], viewport: { width: 360, height: 740 } }, grep: /@phone/ },
  ],
  webServer: [
    {
      command: `../scripts/e2e-server.sh ${port}`,
      url: `http://127.0.0.1:${port}/healthz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
    },
    // A shop fourteen hours ahead of UTC, for tests/zone.spec.ts only: the other journeys
    // write their dates in UTC and would read the wrong day near midnight there.
    {
      command: `../scripts/e2e-server.sh ${zonePort}`,
      url: `http://127.0.0.1:${zonePort}/healthz`,
      env: { SHOP_TIMEZONE: SHOP_ZONE },
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
    },
  ],
});

// The shop's own clock, with JavaScript on and off: on a server whose SHOP_TIMEZONE is
// Pacific/Kiritimati (UTC+14, a different calendar day from UTC for most of the day), the bill
// just recorded shows the date and time that a browser in that zone reads on its own clock.
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";
import { SHOP_ZONE, zonePort } from "../playwright.config";

test.use({ baseURL: `http://127.0.0.1:${zonePort}`, timezoneId: SHOP_ZONE });

/** `YYYY-MM-DD HH:MM` on the browser's clock (emulated in the shop's zone). */
async function browserClock(page: Page): Promise<string> {
  // A blank page runs the script even in the project without JavaScript for sites.
  const probe = await page.context().newPage();
  try {
    return await probe.evaluate(() => {
      const now = new Date();
      const two = (n: number) => String(n).padStart(2, "0");
      return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}`;
    });
  } finally {
    await probe.close();
  }
}

test("a bill shows the date and time of the shop's zone", async ({ page }, testInfo) => {
  const product = `Kokum ${testInfo.project.name}`;
  await signIn(page, "/buy");
  await page.getByLabel("Supplier").fill("Tarawa Traders");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(product);
  await page.getByLabel("Quantity").nth(0).fill("3");
  await page.getByLabel("Unit cost").nth(0).fill("40");
  const before = await browserClock(page);
  await page.getByRole("button", { name: "Record purchase" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
  const after = await browserClock(page);
  // The minute may turn while the bill is recorded: either reading is right.
  const either = new RegExp(`${before}|${after}`);
  await expect(page.locator("dd").filter({ hasText: either })).toHaveCount(1);

  await page.goto("/bills");
  await expect(page.getByRole("row", { name: /Tarawa Traders/ }).first()).toContainText(either);
});

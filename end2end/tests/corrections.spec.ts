// Corrections, with JavaScript on and off: write off an expiring lot from /expiry, count a
// product down on its page, sell and take part of the sale back (too much is refused and
// changes nothing), and see the dashboard's Earned and Losses move by exactly those amounts.
// Other journeys share the database, so figures are compared before and after.
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** "₹1,23,456.78" or "-₹1.50" in minor units. */
function minor(text: string): number {
  const [whole, fraction = ""] = text.replace(/[^0-9.]/g, "").split(".");
  const value = Number(whole) * 100 + Number((fraction + "00").slice(0, 2));
  return text.trim().startsWith("-") ? -value : value;
}

async function figure(page: Page, name: string): Promise<number> {
  await page.goto("/?period=30d");
  const group = page.getByRole("group", { name, exact: true });
  if ((await group.count()) === 0) return 0;
  return minor((await group.locator(".figure-value").textContent()) ?? "");
}

async function buy(page: Page, product: string, quantity: string, cost: string, expiry?: string) {
  await page.goto("/buy");
  await page.getByLabel("Supplier").fill("Corrections test");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(product);
  await page.getByLabel("Quantity").nth(0).fill(quantity);
  await page.getByLabel("Unit cost").nth(0).fill(cost);
  if (expiry) await page.getByLabel("Expiry date").nth(0).fill(expiry);
  await page.getByRole("button", { name: "Record purchase" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
}

test("write off, count, return and the net figures", async ({ page }, testInfo) => {
  const tag = `${testInfo.project.name} ${Date.now()}`;
  const curd = `Curd ${tag}`;
  const soap = `Soap ${tag}`;
  await signIn(page, "/");
  const earnedBefore = await figure(page, "Earned");
  const lossesBefore = await figure(page, "Losses");

  // An expiring lot of 6 at ₹25, written off from the expiry list: a loss of ₹150.
  await buy(page, curd, "6", "25", daysFromNow(1));
  await page.goto("/expiry");
  const row = page.getByRole("row", { name: new RegExp(curd) });
  await expect(row).toContainText("6 pcs");
  await row.getByRole("button", { name: "Write off" }).click();
  await expect(page).toHaveURL(/\/expiry\?written_off=1/);
  await expect(page.getByText("Written off.")).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(curd) })).toHaveCount(0);

  // 10 soap at ₹40; counted 8: 2 missing, a loss of ₹80.
  await buy(page, soap, "10", "40");
  await page.goto(`/inventory?q=${encodeURIComponent(soap)}`);
  await page.getByRole("link", { name: soap }).click();
  await page.getByLabel("Counted quantity").fill("8");
  await page.getByLabel("Reason").first().fill("Stock-take");
  await page.getByRole("button", { name: "Record count" }).click();
  await expect(page.getByText("Count recorded.")).toBeVisible();
  await expect(page.getByText(/^8 pcs in stock/)).toBeVisible();

  // Sell 4 at ₹60, then try to take 9 back: refused, nothing changes; 1 back: ₹60 less earned.
  await page.goto("/sell");
  await page.getByLabel("Customer").fill("Asha");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(soap);
  await page.getByLabel("Quantity").nth(0).fill("4");
  await page.getByLabel("Unit price").nth(0).fill("60");
  await page.getByRole("button", { name: "Record sale" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
  await page.getByRole("link", { name: "Return items" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+\/return$/);
  await page.getByLabel("Return quantity").first().fill("9");
  await page.getByLabel("Reason").fill("Damaged");
  await page.getByRole("button", { name: "Record return" }).click();
  await expect(page.getByText(`At most 4 pcs of ${soap} can come back`)).toBeVisible();
  await expect(page.getByLabel("Return quantity").first()).toHaveValue("9");
  await page.getByLabel("Return quantity").first().fill("1");
  await page.getByRole("button", { name: "Record return" }).click();
  await expect(page.getByRole("heading", { name: /^Sale return SR-\d+/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /^S-\d+/ })).toBeVisible();

  await page.goto(`/inventory?q=${encodeURIComponent(soap)}`);
  await expect(page.getByRole("row", { name: new RegExp(soap) })).toContainText("5 pcs");
  expect((await figure(page, "Earned")) - earnedBefore).toBe(4 * 6_000 - 6_000);
  expect((await figure(page, "Losses")) - lossesBefore).toBe(6 * 2_500 + 2 * 4_000);

  await page.goto("/bills");
  await expect(page.getByRole("cell", { name: "Sale return" }).first()).toBeVisible();
  await page.goto("/transactions?kind=sale_return");
  await expect(page.getByRole("cell", { name: "Sale return" }).first()).toBeVisible();
});

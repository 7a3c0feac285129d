// The dashboard, with JavaScript on and off: a purchase and a sale of our own move `Earned`,
// `Spent` and `Profit` by exactly those bills; the chart is server-rendered SVG (there without
// JavaScript); hydrated, the month under the pointer is read out and the period list navigates
// at once. Other journeys share the database, so figures are compared before and after.
import { expect, test, type Page } from "@playwright/test";
import { jsOff, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

/** "₹1,23,456.78" or "-₹1.50" in minor units. */
function minor(text: string): number {
  const [whole, fraction = ""] = text.replace(/[^0-9.]/g, "").split(".");
  const value = Number(whole) * 100 + Number((fraction + "00").slice(0, 2));
  return text.trim().startsWith("-") ? -value : value;
}

async function figures(page: Page): Promise<Record<"earned" | "spent" | "profit", number>> {
  await page.goto("/?period=30d");
  await expect(page.getByRole("heading", { name: "Sales", exact: true })).toBeVisible();
  const read = async (name: string) => {
    const group = page.getByRole("group", { name, exact: true });
    // An empty shop shows a welcome instead of zeros.
    if ((await group.count()) === 0) return 0;
    return minor((await group.locator(".figure-value").textContent()) ?? "");
  };
  return { earned: await read("Earned"), spent: await read("Spent"), profit: await read("Profit") };
}

async function recordBill(page: Page, kind: "buy" | "sell", product: string, quantity: string, amount: string) {
  await page.goto(`/${kind}`);
  await page.getByLabel(kind === "buy" ? "Supplier" : "Customer").fill("Dashboard test");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(product);
  await page.getByLabel("Quantity").nth(0).fill(quantity);
  await page.getByLabel(kind === "buy" ? "Unit cost" : "Unit price").nth(0).fill(amount);
  await page.getByRole("button", { name: kind === "buy" ? "Record purchase" : "Record sale" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
}

test("a purchase and a sale move Earned, Spent and Profit by exactly their amounts", async ({ page }, testInfo) => {
  const product = `Dashboard Oil ${testInfo.project.name} ${Date.now()}`;
  await signIn(page, "/");
  for (const heading of ["Sales", "Profit", "Top products", "Low stock"]) {
    await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
  }
  const before = await figures(page);

  // 10 at ₹150.25, then 4 sold at ₹199.99: earned 799.96, spent 1,502.50, cost 4 × 150.25.
  await recordBill(page, "buy", product, "10", "150.25");
  await recordBill(page, "sell", product, "4", "199.99");

  const after = await figures(page);
  expect(after.earned - before.earned).toBe(79_996);
  expect(after.spent - before.spent).toBe(150_250);
  expect(after.profit - before.profit).toBe(79_996 - 60_100);

  const chart = page.getByRole("img", { name: /^Earned and spent by month/ });
  await expect(chart).toBeVisible();
  expect(await chart.evaluate((el) => el.tagName.toLowerCase())).toBe("svg");
  await expect(page.getByRole("img", { name: /^Profit by month/ })).toBeVisible();
});

test("the chart reads out the month under the pointer once hydrated", async ({ page }, testInfo) => {
  test.skip(jsOff(testInfo.project.name), "needs JavaScript");
  await signIn(page, "/");
  await page.goto("/?period=30d");
  const now = new Date();
  const names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const thisMonth = `${names[now.getUTCMonth()]} ${now.getUTCFullYear()}`;
  const readout = page.locator(".chart").first().locator(".chart-readout");
  // Until the WASM has taken over, hovering does nothing: retry until it does.
  await expect(async () => {
    await page.mouse.move(0, 0);
    await page.locator(".chart").first().locator(".hit").last().hover();
    await expect(readout).toContainText(`${thisMonth}: Earned ₹`, { timeout: 1_000 });
  }).toPass();
  // Choosing a period in the list shows it without pressing Show.
  await page.getByLabel("Period", { exact: true }).selectOption("12m");
  await expect(page).toHaveURL(/\/\?period=12m$/);
  await expect(page.getByText(/^1 \w+ \d{4} – /)).toBeVisible();
});

test("the period is chosen with a plain form without JavaScript", async ({ page }, testInfo) => {
  test.skip(!jsOff(testInfo.project.name), "the hydrated list navigates on its own");
  await signIn(page, "/");
  await page.getByLabel("Period", { exact: true }).selectOption("custom");
  await page.getByLabel("From", { exact: true }).fill("2001-01-01");
  await page.getByLabel("To", { exact: true }).fill("2001-01-31");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/period=custom&from=2001-01-01&to=2001-01-31/);
  await expect(page.getByText("1 Jan 2001 – 31 Jan 2001")).toBeVisible();
  await expect(page.getByRole("group", { name: "Earned", exact: true })).toContainText("₹0.00");
  await expect(page.locator("svg")).toHaveCount(0);
  await expect(page.getByText("Nothing was bought or sold in these months.")).toBeVisible();
});

// Loose goods in kg, with JavaScript on and off: the demo's Sugar is kept in grams and sold
// loose, so it is bought and sold in kg with decimals at prices per kg, and the bill, the
// product's page and the inventory read in kg. A packaged product refuses half a piece.
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("sugar is bought and sold in kg at prices per kg", async ({ page }, testInfo) => {
  const tag = testInfo.project.name; // every project shares one database
  const jaggery = `Loose Jaggery ${tag} ${Date.now()}`;

  await signIn(page, "/buy");
  await page.getByLabel("Supplier").fill(`Loose Traders ${tag}`);
  const products = page.getByLabel("Product", { exact: true });
  await products.nth(0).fill("Sugar");
  await page.getByLabel("Quantity").nth(0).fill("2.5");
  await page.getByLabel("Unit cost").nth(0).fill("40");
  await products.nth(1).fill("Toor Dal");
  await page.getByLabel("Quantity").nth(1).fill("1");
  await page.getByLabel("Unit cost").nth(1).fill("120");
  // A name bought for the first time as "1.5 kg" becomes a loose product kept in grams.
  await products.nth(2).fill(jaggery);
  await page.getByLabel("Quantity").nth(2).fill("1.5 kg");
  await page.getByLabel("Unit cost").nth(2).fill("60");
  await page.getByRole("button", { name: "Record purchase" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
  const bought = page.getByRole("row", { name: /Sugar/ });
  await expect(bought).toContainText("2.5 kg");
  await expect(bought).toContainText("₹40.00 / kg");
  await expect(bought).toContainText("₹100.00");
  await expect(page.getByRole("row", { name: /Toor Dal/ })).toContainText("1 kg");
  const added = page.getByRole("row", { name: new RegExp(jaggery) });
  await expect(added).toContainText("1.5 kg");
  await expect(added).toContainText("₹60.00 / kg");
  await expect(added).toContainText("₹90.00");

  // 0.75 kg at ₹48.00 / kg is ₹36.00; 0.333 kg at ₹45.50 / kg is ₹15.1515, half-up ₹15.15.
  await page.goto("/sell");
  await page.getByLabel("Customer").fill("Asha");
  await products.nth(0).fill("Sugar");
  await page.getByLabel("Quantity").nth(0).fill("0.75");
  await page.getByLabel("Unit price").nth(0).fill("48");
  await products.nth(1).fill("Toor Dal");
  await page.getByLabel("Quantity").nth(1).fill("0.333");
  await page.getByLabel("Unit price").nth(1).fill("45.50");
  await page.getByRole("button", { name: "Record sale" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
  await expect(page.getByRole("row", { name: /Sugar/ })).toContainText("0.75 kg");
  await expect(page.getByRole("row", { name: /Sugar/ })).toContainText("₹36.00");
  await expect(page.getByRole("row", { name: /Toor Dal/ })).toContainText("0.333 kg");
  await expect(page.getByRole("row", { name: /Toor Dal/ })).toContainText("₹15.15");

  // The product's page and the inventory read in kg, the price per kg.
  await page.getByRole("link", { name: "Sugar" }).first().click();
  await expect(page.getByText(/^[\d.]+ kg in stock/)).toBeVisible();
  await expect(page.getByText("Selling price: ₹48.00 / kg")).toBeVisible();
  await page.goto("/inventory?q=Sugar");
  await expect(page.getByRole("row", { name: /Sugar/ })).toContainText(/[\d.]+ kg/);
  await expect(page.getByRole("row", { name: /Sugar/ })).toContainText("₹48.00 / kg");

  // Half a packaged soap is refused next to its quantity, and nothing is recorded.
  await page.goto("/sell");
  await page.getByLabel("Customer").fill("Asha");
  await page.getByLabel("Product", { exact: true }).nth(0).fill("Bath Soap");
  await page.getByLabel("Quantity").nth(0).fill("1.5");
  await page.getByLabel("Unit price").nth(0).fill("45");
  await page.getByRole("button", { name: "Record sale" }).click();
  await expect(page.getByText("Bath Soap is counted in whole pcs: enter a whole number")).toBeVisible();
  await expect(page).toHaveURL(/\/sell/);
});

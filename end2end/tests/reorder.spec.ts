// What to order, with JavaScript on and off: a product bought below its lower limit appears on
// /reorder with the suggestion worked out by hand, `Create purchase` opens the purchase form
// with its line and supplier filled, and recording it takes the product off the list.
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("reorder, create purchase, off the list", async ({ page }, testInfo) => {
  const stamp = `${testInfo.project.name} ${Date.now()}`;
  const product = `Reorder Dal ${stamp}`;
  const supplier = `Reorder Traders ${stamp}`;
  const list = `/reorder?days=7&supplier=${encodeURIComponent(supplier)}`;

  // 2 bought; lower limit 5, upper limit 12: order 12 − 2 = 10.
  await signIn(page, "/buy");
  await page.getByLabel("Supplier").fill(supplier);
  await page.getByLabel("Product", { exact: true }).nth(0).fill(product);
  await page.getByLabel("Quantity").nth(0).fill("2");
  await page.getByLabel("Unit cost").nth(0).fill("50");
  await page.getByRole("button", { name: "Record purchase" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
  await page.goto(`/inventory?q=${encodeURIComponent(product)}`);
  await page.getByRole("link", { name: product }).click();
  await page.getByLabel("Lower limit").fill("5");
  await page.getByLabel("Upper limit").fill("12");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();

  await page.goto("/");
  await page.getByRole("link", { name: "Reorder", exact: true }).click();
  await expect(page).toHaveURL(/\/reorder$/);
  await page.goto(list);
  const row = page.getByRole("row", { name: new RegExp(product) });
  await expect(row).toContainText("2 pcs");
  await expect(row).toContainText("No sales");
  await expect(row).toContainText("10 pcs");
  await expect(row).toContainText(supplier);

  await page.getByRole("checkbox", { name: `Order ${product}` }).check();
  await page.getByRole("button", { name: "Create purchase" }).click();
  await expect(page).toHaveURL(/\/buy\?/);
  await expect(page.getByLabel("Supplier")).toHaveValue(supplier);
  await expect(page.getByLabel("Product", { exact: true }).nth(0)).toHaveValue(product);
  await expect(page.getByLabel("Quantity").nth(0)).toHaveValue("10");
  await page.getByLabel("Unit cost").nth(0).fill("50");
  await page.getByRole("button", { name: "Record purchase" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);

  await page.goto(list);
  await expect(page.getByRole("row", { name: new RegExp(product) })).toHaveCount(0);
});

// At the counter, with JavaScript on and off: give a product a barcode, then scan it twice on
// /sell (one line, quantity 2, its price filled, nothing submitted), scan an unknown code (a
// message, nothing changes), see the total, and record the sale.
import { expect, test } from "@playwright/test";
import { jsOff, signIn } from "./helpers";

test("scan, scan, record sale", async ({ page }, testInfo) => {
  const off = jsOff(testInfo.project.name);
  const stamp = `${Date.now()}`.slice(-9);
  const product = `Scanner Tea ${testInfo.project.name} ${stamp}`;
  const code = `77${off ? "1" : "2"}${stamp}`;

  await signIn(page, "/buy");
  await page.getByLabel("Supplier").fill("Counter test");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(product);
  await page.getByLabel("Quantity").nth(0).fill("10");
  await page.getByLabel("Unit cost").nth(0).fill("50");
  await page.getByRole("button", { name: "Record purchase" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);

  await page.goto(`/inventory?q=${encodeURIComponent(product)}`);
  await page.getByRole("link", { name: product }).click();
  await page.getByLabel("SKU / barcode").fill(code);
  await page.getByLabel("Selling price").fill("80");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();

  await page.goto("/sell");
  if (!off) {
    // Hydrated, `Add line` becomes a plain button: the form's scripts are running.
    await expect(page.getByRole("button", { name: "Add line" })).toHaveAttribute("type", "button");
  }
  await page.getByLabel("Customer").fill("Asha");
  const barcode = page.getByLabel("Barcode");
  await barcode.fill(code);
  await barcode.press("Enter");
  if (off) {
    // Without JavaScript each Enter is a round trip that comes back with the line added.
    await expect(page.getByLabel("Product", { exact: true }).nth(0)).toHaveValue(product);
  }
  await barcode.fill(code);
  await barcode.press("Enter");
  const line = { product: page.getByLabel("Product", { exact: true }).nth(0) };
  await expect(line.product).toHaveValue(product);
  await expect(page.getByLabel("Quantity").nth(0)).toHaveValue("2");
  await expect(page.getByLabel("Unit price").nth(0)).toHaveValue("80.00");
  await expect(page.getByLabel("Product", { exact: true }).nth(1)).toHaveValue("");
  await expect(page).toHaveURL(/\/sell/);
  if (!off) await expect(barcode).toBeFocused();

  await barcode.fill("0000");
  await barcode.press("Enter");
  await expect(page.getByText("No product with barcode 0000")).toBeVisible();
  await expect(page.getByLabel("Quantity").nth(0)).toHaveValue("2");
  await expect(page.locator(".bill-totals")).toContainText("₹160.00");

  await page.getByRole("button", { name: "Record sale" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
  await expect(page.getByRole("heading", { name: /^Sale S-\d+/ })).toBeVisible();
  await expect(page.getByText("₹160.00").first()).toBeVisible();
  const receipt = await page.request.get((await page.getByRole("link", { name: "Print receipt" }).getAttribute("href"))!);
  expect(receipt.headers()["content-type"]).toBe("application/pdf");
});

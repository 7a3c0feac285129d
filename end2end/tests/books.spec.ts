// The inventory journey, with JavaScript on and off: buy, check stock and average cost, sell,
// oversell (refused, nothing changes), the bill and its PDF invoice, expiry, transactions.
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

test("buy, sell, oversell, bill, invoice, expiry and history", async ({ page }, testInfo) => {
  const tag = testInfo.project.name; // both projects share one database
  const paneer = `Paneer 200g ${tag}`;
  const jaggery = `Jaggery ${tag}`;

  await signIn(page, "/buy");
  const products = page.getByLabel("Product", { exact: true });
  await expect(products).toHaveCount(3);
  await page.getByRole("button", { name: "Add line" }).click();
  await expect(products).toHaveCount(4);

  await page.getByLabel("Supplier").fill("Ravi Traders");
  await page.getByLabel("Phone").fill("98450 12345");
  await products.nth(0).fill(paneer);
  await page.getByLabel("Quantity").nth(0).fill("10");
  await page.getByLabel("Unit cost").nth(0).fill("80");
  await page.getByLabel("Expiry date").nth(0).fill(daysFromNow(2));
  await products.nth(1).fill(jaggery);
  await page.getByLabel("Quantity").nth(1).fill("5");
  await page.getByLabel("Unit cost").nth(1).fill("60.50");
  await page.getByRole("button", { name: "Record purchase" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
  await expect(page.getByRole("heading", { name: /^Purchase P-\d+/ })).toBeVisible();

  await page.goto(`/inventory?q=${encodeURIComponent(paneer)}`);
  const row = page.getByRole("row", { name: new RegExp(paneer) });
  await expect(row).toContainText("10 pcs");
  await expect(row).toContainText("₹80.00");

  await page.goto("/sell");
  await page.getByLabel("Customer").fill("Asha");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(paneer);
  await page.getByLabel("Quantity").nth(0).fill("25");
  await page.getByLabel("Unit price").nth(0).fill("95");
  await page.getByRole("button", { name: "Record sale" }).click();
  await expect(page.getByText(`Not enough stock of ${paneer}: 10 pcs available`)).toBeVisible();
  await expect(page.getByLabel("Product", { exact: true }).nth(0)).toHaveValue(paneer);
  await page.goto(`/inventory?q=${encodeURIComponent(paneer)}`);
  await expect(page.getByRole("row", { name: new RegExp(paneer) })).toContainText("10 pcs");

  await page.goto("/sell");
  await page.getByLabel("Customer").fill("Asha");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(paneer);
  await page.getByLabel("Quantity").nth(0).fill("4");
  await page.getByLabel("Unit price").nth(0).fill("95");
  await page.getByRole("button", { name: "Record sale" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
  await expect(page.getByRole("heading", { name: /^Sale S-\d+/ })).toBeVisible();
  await expect(page.getByText("₹380.00").first()).toBeVisible();

  const invoice = page.getByRole("link", { name: "Download invoice" });
  const href = await invoice.getAttribute("href");
  expect(href).toMatch(/^\/bills\/\d+\/invoice\.pdf$/);
  const pdf = await page.request.get(href!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 4).toString()).toBe("%PDF");

  await page.goto("/expiry");
  for (const header of ["Product", "Quantity", "Expires", "Days left"]) {
    await expect(page.getByRole("columnheader", { name: header })).toBeVisible();
  }
  await expect(page.getByRole("row", { name: new RegExp(paneer) })).toContainText("6 pcs");
  await expect(page.getByRole("row", { name: new RegExp(jaggery) })).toHaveCount(0);

  await page.goto(`/transactions?product=${encodeURIComponent(paneer)}`);
  for (const header of ["Date", "Product", "Type", "Quantity", "Unit price"]) {
    await expect(page.getByRole("columnheader", { name: header })).toBeVisible();
  }
  await expect(page.getByRole("row", { name: /\+10 pcs/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /-4 pcs/ })).toBeVisible();

  await page.goto("/bills");
  for (const header of ["Bill", "Date", "Party", "Kind", "Total"]) {
    await expect(page.getByRole("columnheader", { name: header })).toBeVisible();
  }
});

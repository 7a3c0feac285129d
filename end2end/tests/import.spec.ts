// CSV import and export, with JavaScript on and off: a small file with one bad row shows the
// problem and imports nothing; fixed, it previews, imports, and the products and their opening
// stock appear; the inventory's Export CSV downloads a file that holds them.
import { expect, test, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

async function checkFile(page: Page, name: string, csv: string) {
  await page.goto("/inventory/import");
  await page.getByLabel("CSV file").setInputFiles({
    name,
    mimeType: "text/csv",
    buffer: Buffer.from(csv, "utf-8"),
  });
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page).toHaveURL(/\/inventory\/import\?upload=/);
}

test("import a catalogue with a preview, then export it", async ({ page }, testInfo) => {
  const tag = `${testInfo.project.name} ${Date.now()}`;
  const ghee = `Ghee ${tag}`;
  const tea = `चाय ${tag}`;
  await signIn(page, "/inventory");
  await page.getByRole("link", { name: "Import CSV" }).click();
  await expect(page).toHaveURL(/\/inventory\/import$/);

  const bad = `name,selling_price,quantity,unit_cost\n${ghee},600,two,450\n${tea},120,,\n`;
  await checkFile(page, "bad.csv", bad);
  await expect(page.getByText("Line 2: quantity:")).toBeVisible();
  await expect(page.getByRole("button", { name: "Import", exact: true })).toHaveCount(0);
  await page.goto(`/inventory?q=${encodeURIComponent(ghee)}`);
  await expect(page.getByText("No products match your search.")).toBeVisible();

  await checkFile(page, "good.csv", bad.replace("two", "2"));
  await expect(page.getByText("2 to create")).toBeVisible();
  await expect(page.getByText(/2 units in 1 product/)).toBeVisible();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByText("Imported 2 products")).toBeVisible();

  await page.goto(`/inventory?q=${encodeURIComponent(tag)}`);
  await expect(page.getByRole("link", { name: ghee })).toBeVisible();
  await expect(page.getByRole("link", { name: tea })).toBeVisible();
  await page.goto(`/transactions?kind=opening_stock&product=${encodeURIComponent(ghee)}`);
  await expect(page.getByRole("row", { name: new RegExp(ghee) })).toContainText("Opening stock");

  await page.goto(`/inventory?q=${encodeURIComponent(tag)}`);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^stockroom-inventory-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = await readFile((await download.path())!, "utf-8");
  expect(text.startsWith("\ufeffname,")).toBeTruthy();
  expect(text).toContain(`${ghee},`);
  expect(text).toContain(tea);
});

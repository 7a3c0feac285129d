// Parties, with JavaScript on and off: a purchase remembers its supplier, the bill links to
// it, typing the supplier's name on /buy fills its phone and address (hydrated only), and
// /parties finds, shows and edits it; a rename onto another party's name is refused.
import { expect, test, type Page } from "@playwright/test";
import { jsOff, signIn } from "./helpers";

async function buyFrom(page: Page, supplier: string, phone: string, address: string) {
  await page.goto("/buy");
  await page.getByLabel("Supplier").fill(supplier);
  await page.getByLabel("Phone").fill(phone);
  await page.getByLabel("Address").fill(address);
  await page.getByLabel("Product", { exact: true }).nth(0).fill("Toor Dal");
  await page.getByLabel("Quantity").nth(0).fill("1");
  await page.getByLabel("Unit cost").nth(0).fill("10");
  await page.getByRole("button", { name: "Record purchase" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
}

test("a known supplier fills the purchase form, and /parties lists and edits it", async ({ page }, testInfo) => {
  const stamp = `${testInfo.project.name} ${Date.now()}`;
  const supplier = `Party Traders ${stamp}`;
  const other = `Other Traders ${stamp}`;
  const phone = `98450 ${Date.now() % 100000}`;

  await signIn(page, "/buy");
  await buyFrom(page, supplier, phone, "12 MG Road");
  await expect(page.getByRole("link", { name: supplier })).toBeVisible();
  await buyFrom(page, other, "", "");

  if (!jsOff(testInfo.project.name)) {
    await page.goto("/buy");
    // Hydrated, `Add line` is an ordinary button (before, it submits the form to the page).
    await expect(page.getByRole("button", { name: "Add line" })).toHaveAttribute("type", "button");
    await page.getByLabel("Supplier").pressSequentially(supplier.toLowerCase(), { delay: 10 });
    await expect(page.getByLabel("Phone")).toHaveValue(phone);
    await expect(page.getByLabel("Address")).toHaveValue("12 MG Road");
  }

  await page.getByRole("link", { name: "Parties", exact: true }).click();
  await expect(page).toHaveURL(/\/parties$/);
  await page.getByLabel("Search parties").fill(stamp);
  await page.getByLabel("Search parties").press("Enter");
  await expect(page).toHaveURL(/\/parties\?q=/);
  const row = page.getByRole("row", { name: new RegExp(`Party Traders ${stamp}`) });
  await expect(row).toContainText("Supplier");
  await expect(row).toContainText("₹10.00");
  await page.getByRole("link", { name: supplier }).click();
  await expect(page).toHaveURL(/\/parties\/\d+$/);
  await expect(page.getByText(phone)).toBeVisible();

  await page.getByLabel("Phone").fill("98450 00001");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByLabel("Phone")).toHaveValue("98450 00001");

  await page.getByLabel("Name").fill(other.toUpperCase());
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Another party already has this name")).toBeVisible();
  await page.goto("/parties?q=" + encodeURIComponent(stamp));
  await expect(page.getByRole("link", { name: supplier })).toBeVisible();
});

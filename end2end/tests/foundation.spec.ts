// The foundation journey, in both projects: JavaScript on (hydrated) and off (plain HTML forms).
import { expect, test } from "@playwright/test";
import { jsOff, MANAGER, signIn } from "./helpers";

test("a wrong password shows the error and signs no one in", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(MANAGER.email);
  await page.getByLabel("Password", { exact: true }).fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Invalid email or password")).toBeVisible();
  await page.goto("/inventory");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("sign in, see the products, search them, sign out", async ({ page }, testInfo) => {
  // A hundred rows: the journeys before this one add products of their own to the shared shop.
  await signIn(page, "/inventory?rows=100");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const name of ["Dashboard", "Inventory", "Buy", "Sell", "Bills", "Transactions", "Expiry", "Reorder", "Parties", "Employees"]) {
    await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
  }
  for (const header of ["Name", "Quantity", "Cost price", "Selling price"]) {
    await expect(page.getByRole("columnheader", { name: header })).toBeVisible();
  }
  await expect(page.getByRole("link", { name: "Basmati Rice 5kg" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Toor Dal" })).toBeVisible();
  await expect(page.getByRole("link", { name: "चाय मसाला 50g" })).toBeVisible();

  const search = page.getByLabel("Search products");
  await search.fill("rice");
  if (jsOff(testInfo.project.name)) {
    // Nothing runs on input without JavaScript: the form must be submitted.
    await expect(page.getByRole("link", { name: "Toor Dal" })).toBeVisible();
    await search.press("Enter");
    await expect(page).toHaveURL(/\/inventory\?q=rice/);
  }
  // Hydrated, the list follows the typing; otherwise it came from the submitted form.
  await expect(page.getByRole("link", { name: "Toor Dal" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Basmati Rice 5kg" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Rice Flour 1kg" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/inventory");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("live search works only once the WASM has hydrated", async ({ page }, testInfo) => {
  test.skip(jsOff(testInfo.project.name), "needs JavaScript");
  await signIn(page, "/inventory");
  // Typing without submitting filters the table: only the hydrated app can do that.
  await page.getByLabel("Search products").pressSequentially("dal", { delay: 30 });
  await expect(page).toHaveURL(/\/inventory\?q=dal/);
  await expect(page.getByRole("link", { name: "Toor Dal" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Basmati Rice 5kg" })).toHaveCount(0);
});

test("an unknown page is a 404 and a signed-out visitor is sent to sign in", async ({ page }) => {
  const response = await page.goto("/inventory");
  expect(response?.url()).toContain("/login?next=%2Finventory");
  await signIn(page, "/inventory");
  const missing = await page.goto("/no-such-page");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("the sign-in page fits a 360 px phone @phone", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

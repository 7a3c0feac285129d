// The details a shopkeeper notices (issue 22), with JavaScript on and off: asking before
// deleting, prices not set, rows per page, the bills list, confirming a new password, show
// password, signing out everywhere, the manifest, and the dashboard at phone width.
import { expect, test, type Page } from "@playwright/test";
import { jsOff, MANAGER, signIn } from "./helpers";

async function buyNew(page: Page, product: string) {
  await page.goto("/buy");
  await page.getByLabel("Supplier").fill("Details test");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(product);
  await page.getByLabel("Quantity").nth(0).fill("4");
  await page.getByLabel("Unit cost").nth(0).fill("30");
  await page.getByRole("button", { name: "Record purchase" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
}

test("a new product reads Not set, its bill links to Set price, and it cannot be sold blank", async ({ page }, testInfo) => {
  const name = `Jaggery ${testInfo.project.name} ${Date.now()}`;
  await signIn(page, "/");
  await buyNew(page, name);
  await expect(page.getByText(`Added ${name}`)).toBeVisible();
  await page.getByRole("link", { name: "Set price" }).first().click();
  await expect(page).toHaveURL(/\/inventory\/\d+$/);
  const productUrl = page.url();
  await expect(page.getByText("Selling price: Not set")).toBeVisible();

  await page.goto(`/inventory?q=${encodeURIComponent(name)}`);
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("Not set");

  await page.goto("/sell");
  await page.getByLabel("Customer").fill("Asha");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(name);
  await page.getByLabel("Quantity").nth(0).fill("1");
  await page.getByLabel("Unit price").nth(0).fill("");
  await page.getByRole("button", { name: "Record sale" }).click();
  await expect(page.getByText(`${name} has no selling price yet`)).toBeVisible();
  await page.getByRole("link", { name: `Set the price of ${name}` }).click();
  await expect(page).toHaveURL(productUrl);
});

test("Delete product asks on its own page; Cancel keeps the product", async ({ page }, testInfo) => {
  const name = `Doomed ${testInfo.project.name} ${Date.now()}`;
  await signIn(page, "/");
  await buyNew(page, name);
  await page.getByRole("link", { name: "Set price" }).first().click();
  const productUrl = page.url();
  await page.getByRole("button", { name: "Delete product" }).click();
  await expect(page).toHaveURL(/\?confirm=delete$/);
  await expect(page.getByRole("heading", { name: `Delete ${name}?` })).toBeVisible();
  await page.getByRole("link", { name: "Cancel" }).click();
  await expect(page).toHaveURL(productUrl);
  await page.getByRole("button", { name: "Delete product" }).click();
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page).toHaveURL(/\/inventory$/);
  await page.goto(`/inventory?q=${encodeURIComponent(name)}`);
  await expect(page.getByRole("link", { name })).toHaveCount(0);
});

test("Rows is kept in the address on the three long lists", async ({ page }) => {
  await signIn(page, "/");
  for (const list of ["/inventory", "/bills", "/transactions"]) {
    await page.goto(list);
    await page.getByLabel("Rows").selectOption("100");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(new RegExp(`${list}\\?(.*&)?rows=100`));
    await expect(page.getByLabel("Rows")).toHaveValue("100");
  }
});

test("the bills list names items and links each invoice", async ({ page }) => {
  await signIn(page, "/bills");
  const link = page.getByRole("link", { name: "Download invoice" }).first();
  await expect(link).toHaveAttribute("href", /\/bills\/\d+\/invoice\.pdf$/);
  const response = await page.request.get((await link.getAttribute("href"))!);
  expect(response.headers()["content-type"]).toContain("application/pdf");
  await expect(page.getByRole("columnheader", { name: "Items" })).toBeVisible();
});

test("Show password appears only with JavaScript and reveals the password", async ({ page }, testInfo) => {
  await page.goto("/login");
  const password = page.getByLabel("Password", { exact: true });
  await password.fill("secret-words");
  const toggle = page.getByLabel("Show password");
  if (jsOff(testInfo.project.name)) {
    await expect(toggle).toHaveCount(0);
    return;
  }
  await toggle.check();
  await expect(password).toHaveAttribute("type", "text");
  await toggle.uncheck();
  await expect(password).toHaveAttribute("type", "password");
});

test("Sign out everywhere ends the other browser's session too", async ({ page, browser }, testInfo) => {
  await signIn(page, "/profile");
  const origin = new URL(page.url()).origin;
  const other = await browser.newContext({ baseURL: origin, javaScriptEnabled: !jsOff(testInfo.project.name) });
  const second = await other.newPage();
  await second.goto("/login");
  await second.getByLabel("Email").fill(MANAGER.email);
  await second.getByLabel("Password", { exact: true }).fill(MANAGER.password);
  await second.getByRole("button", { name: "Sign in" }).click();
  await expect(second).toHaveURL(/\/$/);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login/);
  await second.goto("/inventory");
  await expect(second).toHaveURL(/\/login/);
  await other.close();
});

test("the manifest is linked and installable", async ({ page }) => {
  await page.goto("/login");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBe("/manifest.webmanifest");
  const response = await page.request.get(href!);
  expect(response.headers()["content-type"]).toBe("application/manifest+json");
  const manifest = await response.json();
  expect(manifest.display).toBe("standalone");
  const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  expect(manifest.icons.some((i: { purpose: string }) => i.purpose === "maskable")).toBe(true);
  await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute("content", "#0b6e4f");
});

test("@phone the dashboard figures never break inside a number", async ({ page }) => {
  await signIn(page, "/");
  for (const value of await page.locator(".figure-value").all()) {
    const box = await value.boundingBox();
    const lineHeight = await value.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 24);
    expect(box!.height).toBeLessThan(lineHeight * 1.5);
  }
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(scroll).toBeLessThanOrEqual(0);
});

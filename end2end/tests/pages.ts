// Every page of PRODUCT.md's route table, for the page-wide checks (tests/axe.spec.ts: the
// accessibility scan; tests/phone.spec.ts: 360 px wide). Detail pages are reached from data
// that `seedPages` records first: a purchase that creates a product (with a lot expiring soon,
// so `/expiry` and the product page have rows and `Write off` buttons), a sale of it, and a
// staff member to sign in as.
import { expect, type Browser, type Cookie, type TestInfo } from "@playwright/test";
import { MANAGER } from "./helpers";

export type Role = "manager" | "staff";

/** The ids the detail pages need, and the staff member's sign-in. */
export interface Seeded {
  product: number;
  purchase: number;
  sale: number;
  employee: number;
  party: number;
  staff: { email: string; password: string };
}

export interface PageSpec {
  /** What the summary calls the page. */
  name: string;
  path: (s: Seeded) => string;
  /** Only managers may open it: staff get the 403 page (which is scanned too). */
  managerOnly?: boolean;
  /** The status the page answers with, when not 200 (and not the 403 of `managerOnly`). */
  status?: number;
  /** Visited signed out (the only such page: `/login`). */
  signedOut?: boolean;
}

/** PRODUCT.md's routes. */
export const PAGES: PageSpec[] = [
  { name: "login", path: () => "/login", signedOut: true },
  { name: "dashboard", path: () => "/" },
  { name: "inventory", path: () => "/inventory" },
  { name: "product", path: (s) => `/inventory/${s.product}` },
  // Staff have no `Delete product`: for them the address shows the product page.
  { name: "product: confirm delete", path: (s) => `/inventory/${s.product}?confirm=delete` },
  { name: "import", path: () => "/inventory/import", managerOnly: true },
  { name: "buy", path: () => "/buy" },
  { name: "sell", path: () => "/sell" },
  { name: "bills", path: () => "/bills" },
  { name: "purchase bill", path: (s) => `/bills/${s.purchase}` },
  { name: "sale bill", path: (s) => `/bills/${s.sale}` },
  { name: "return items", path: (s) => `/bills/${s.sale}/return`, managerOnly: true },
  { name: "transactions", path: () => "/transactions" },
  { name: "expiry", path: () => "/expiry" },
  { name: "reorder", path: () => "/reorder" },
  { name: "parties", path: () => "/parties" },
  { name: "party", path: (s) => `/parties/${s.party}` },
  { name: "employees", path: () => "/employees", managerOnly: true },
  { name: "add employee", path: () => "/employees/new", managerOnly: true },
  { name: "employee", path: (s) => `/employees/${s.employee}`, managerOnly: true },
  { name: "employee: confirm deactivate", path: (s) => `/employees/${s.employee}?confirm=deactivate`, managerOnly: true },
  { name: "audit trail", path: () => "/employees/audit", managerOnly: true },
  { name: "profile", path: () => "/profile" },
  { name: "not found", path: () => "/no-such-page", status: 404 },
];

/** The status `spec` answers `role` with. */
export function expectedStatus(spec: PageSpec, role: Role): number {
  if (spec.managerOnly && role === "staff") return 403;
  return spec.status ?? 200;
}

function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function idOf(url: string): number {
  const id = Number(/\/(\d+)(?:\?.*)?$/.exec(url)?.[1]);
  expect(id, url).toBeGreaterThan(0);
  return id;
}

/** Signs `email` in through the form (JavaScript off: plain posts); returns the session's cookies. */
async function signedIn(browser: Browser, baseURL: string, email: string, password: string) {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  const { cookies } = await context.storageState();
  return { context, page, cookies };
}

/**
 * Records what the detail pages need (names unique to this run and project: the projects share
 * one database, and a worker restarted after a failure seeds again) and signs both roles in.
 * Returns the ids and each role's session cookies (for `context.addCookies`).
 */
export async function seedPages(browser: Browser, testInfo: TestInfo) {
  const baseURL = String(testInfo.project.use.baseURL);
  const tag = `${testInfo.project.name}-${Date.now()}`;
  const { context, page, cookies: manager } = await signedIn(browser, baseURL, MANAGER.email, MANAGER.password);
  const product = `Basmati ${tag}`;

  await page.goto("/buy");
  await page.getByLabel("Supplier").fill("Axe Traders");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(product);
  await page.getByLabel("Quantity").nth(0).fill("10");
  await page.getByLabel("Unit cost").nth(0).fill("40");
  await page.getByLabel("Expiry date").nth(0).fill(daysFromNow(2));
  await page.getByRole("button", { name: "Record purchase" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
  const purchase = idOf(page.url());
  // The bill names its supplier with a link to the party's page.
  const partyHref = await page.getByRole("link", { name: "Axe Traders" }).getAttribute("href");
  const party = idOf(partyHref ?? "");
  await page.getByRole("link", { name: "Set price" }).first().click();
  await expect(page).toHaveURL(/\/inventory\/\d+$/);
  const productId = idOf(page.url());

  await page.goto("/sell");
  await page.getByLabel("Customer").fill("Axe Customer");
  await page.getByLabel("Product", { exact: true }).nth(0).fill(product);
  await page.getByLabel("Quantity").nth(0).fill("2");
  await page.getByLabel("Unit price").nth(0).fill("55");
  await page.getByRole("button", { name: "Record sale" }).click();
  await expect(page).toHaveURL(/\/bills\/\d+$/);
  const sale = idOf(page.url());

  const staff = { email: `axe.${tag}@e2e.test`, password: "teak-ledger-window-27" };
  await page.goto("/employees/new");
  await page.getByLabel("First name", { exact: true }).fill("Axe");
  await page.getByLabel("Last name", { exact: true }).fill(`Staff ${tag}`);
  await page.getByLabel("Email", { exact: true }).fill(staff.email);
  await page.getByLabel("Age", { exact: true }).fill("31");
  await page.getByLabel("Gender", { exact: true }).selectOption("female");
  await page.getByLabel("Password", { exact: true }).fill(staff.password);
  await page.getByLabel("Confirm password", { exact: true }).fill(staff.password);
  await page.getByLabel("Role", { exact: true }).selectOption("staff");
  await page.getByRole("button", { name: "Create employee" }).click();
  await expect(page).toHaveURL(/\/employees\?created=\d+$/);
  const employee = Number(new URL(page.url()).searchParams.get("created"));
  await context.close();

  const signedInStaff = await signedIn(browser, baseURL, staff.email, staff.password);
  await signedInStaff.context.close();
  const seeded: Seeded = { product: productId, purchase, sale, employee, party, staff };
  const sessions: Record<Role, Cookie[]> = { manager, staff: signedInStaff.cookies };
  return { seeded, sessions };
}

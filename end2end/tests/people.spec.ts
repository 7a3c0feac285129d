// People and access, with JavaScript on and off: a manager adds a staff member; the staff member
// signs in (a browser of their own) and finds no way to manage people; the manager deactivates
// them and their open page is sent to the sign-in page on its next navigation.
import { expect, test } from "@playwright/test";
import { jsOff, signIn } from "./helpers";

test("a manager adds staff, who cannot manage people and is signed out when deactivated", async ({ page, browser }, testInfo) => {
  const tag = testInfo.project.name; // both projects share one database
  const name = `Ravi Kumar ${tag}`;
  const email = `ravi.${tag}@e2e.test`;
  const password = "brass-lantern-monsoon-42";

  await signIn(page, "/employees");
  await page.getByRole("link", { name: "Add employee" }).click();
  await expect(page).toHaveURL(/\/employees\/new$/);
  await page.getByLabel("First name", { exact: true }).fill("Ravi");
  await page.getByLabel("Last name", { exact: true }).fill(`Kumar ${tag}`);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Age", { exact: true }).fill("24");
  await page.getByLabel("Gender", { exact: true }).selectOption("male");
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password", { exact: true }).fill(password);
  await page.getByLabel("Role", { exact: true }).selectOption("staff");
  await page.getByRole("button", { name: "Create employee" }).click();
  await expect(page).toHaveURL(/\/employees\?created=\d+$/);
  await expect(page.getByText(`Added ${name}.`)).toBeVisible();
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("Staff");
  await expect(row).toContainText("Active");

  // The staff member, in a browser of their own.
  const origin = new URL(page.url()).origin;
  const theirs = await browser.newContext({ baseURL: origin, javaScriptEnabled: !jsOff(tag) });
  const staff = await theirs.newPage();
  await staff.goto("/inventory");
  await expect(staff).toHaveURL(/\/login\?next=/);
  await staff.getByLabel("Email").fill(email);
  await staff.getByLabel("Password", { exact: true }).fill(password);
  await staff.getByRole("button", { name: "Sign in" }).click();
  await expect(staff).toHaveURL(/\/inventory$/);
  const nav = staff.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Inventory", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Employees" })).toHaveCount(0);
  const forbidden = await staff.goto("/employees");
  expect(forbidden?.status()).toBe(403);
  await expect(staff.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expect(staff.getByRole("link", { name: "Add employee" })).toHaveCount(0);
  await staff.goto("/inventory?q=Toor");
  await expect(staff.getByRole("link", { name: "Toor Dal" })).toBeVisible();

  // The manager deactivates them.
  await page.getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/employees\/\d+$/);
  await page.getByRole("button", { name: "Deactivate" }).click();
  // It asks first, on a page of its own.
  await expect(page).toHaveURL(/\/employees\/\d+\?confirm=deactivate$/);
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page).toHaveURL(/\/employees\/\d+\?deactivated=1$/);
  await expect(page.getByRole("status")).toContainText("Deactivated");
  await expect(page.getByRole("button", { name: "Reactivate" })).toBeVisible();

  // Their open page finds out on its next navigation.
  await staff.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Bills", exact: true }).click();
  await expect(staff).toHaveURL(/\/login/);
  await expect(staff.getByRole("button", { name: "Sign in" })).toBeVisible();
  await staff.getByLabel("Email").fill(email);
  await staff.getByLabel("Password", { exact: true }).fill(password);
  await staff.getByRole("button", { name: "Sign in" }).click();
  await expect(staff.getByText("Invalid email or password")).toBeVisible();
  await theirs.close();

  // The audit trail has it all.
  await page.goto("/employees/audit");
  for (const what of ["Employee created", "Employee deactivated", "Signed in"]) {
    await expect(page.getByRole("cell", { name: what, exact: true }).first()).toBeVisible();
  }
});

test("the profile page refuses a password change without the current password", async ({ page }) => {
  await signIn(page, "/profile");
  await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
  await page.getByLabel("Current password").fill("not-the-password");
  await page.getByLabel("New password", { exact: true }).fill("copper-kettle-mango-tree");
  await page.getByLabel("Repeat new password").fill("copper-kettle-mango-tree");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("This is not your current password")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Employees" })).toBeVisible();
});

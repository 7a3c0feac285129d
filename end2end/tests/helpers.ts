import { expect, type Page } from "@playwright/test";

/** The manager that scripts/e2e-server.sh creates on the fresh database. */
export const MANAGER = { email: "manager@e2e.test", password: "e2e-manager-passphrase" };

/** True in the project that runs with JavaScript disabled. */
export function jsOff(projectName: string): boolean {
  return projectName === "no-js";
}

/** Signs in through the form and waits for the page it lands on. */
export async function signIn(page: Page, path = "/inventory") {
  await page.goto(path);
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email").fill(MANAGER.email);
  await page.getByLabel("Password", { exact: true }).fill(MANAGER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(path === "/" ? /\/$/ : new RegExp(path.replace(/[?]/g, "\\?")));
}

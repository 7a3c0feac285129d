// Every page (tests/pages.ts) on a 360 px phone, in the `phone` project: the document never
// scrolls sideways (only the labelled table regions may, inside themselves), nothing outside
// those regions reaches past the screen's edge, and the things a thumb presses (the header's
// links, buttons, fields, pickers) are at least 44 px both ways.
import { expect, test, type Page } from "@playwright/test";
import { expectedStatus, PAGES, seedPages, type Role, type Seeded } from "./pages";

const TARGET = 44;

let seeded: Seeded;
let sessions: Awaited<ReturnType<typeof seedPages>>["sessions"];

test.beforeAll(async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== "phone", "the phone project's checks");
  test.setTimeout(90_000);
  ({ seeded, sessions } = await seedPages(browser, testInfo));
});

/** What sticks out past the right or left edge of the screen, outside the table regions. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>("*"))) {
      if (el.closest('[role="region"][tabindex="0"] > *')) continue;
      if (el.closest(".visually-hidden, script, style, template")) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.right > width + 0.5 || box.left < -0.5) {
        const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : ""}`;
        out.push(`${name} [${Math.round(box.left)}, ${Math.round(box.right)}] "${(el.textContent ?? "").trim().slice(0, 40)}"`);
      }
    }
    return out;
  });
}

/** The targets smaller than TARGET px one way or the other. */
async function smallTargets(page: Page, min: number): Promise<string[]> {
  return page.evaluate((min) => {
    const selector = [
      "header a",
      "nav a",
      "button",
      "input:not([type=hidden])",
      "select",
      "textarea",
      "summary",
      "a.button",
      ".pager a",
    ].join(", ");
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      let box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not shown (display: none)
      if (getComputedStyle(el).visibility === "hidden") continue;
      // A checkbox is pressed through its label too: the label's box counts.
      if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio")) {
        const label = el.closest("label") ?? el.labels?.[0];
        const labelBox = label?.getBoundingClientRect();
        if (labelBox && labelBox.width > 1 && labelBox.height > 1) box = labelBox; // not visually hidden
      }
      if (box.height < min - 0.5 || box.width < min - 0.5) {
        const name = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim() || el.getAttribute("name") || "";
        out.push(`${el.tagName.toLowerCase()} "${name.slice(0, 40)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return out;
  }, min);
}

const visits: { role: Role | "signed out"; spec: (typeof PAGES)[number] }[] = [];
for (const spec of PAGES) {
  if (spec.signedOut) visits.push({ role: "signed out", spec });
  else for (const role of ["manager", "staff"] as const) visits.push({ role, spec });
}

for (const { role, spec } of visits) {
  test(`@phone 360 px: ${spec.name} (${role})`, async ({ context, page }, testInfo) => {
    test.skip(testInfo.project.name !== "phone", "the phone project's checks");
    if (role !== "signed out") await context.addCookies(sessions[role]);
    const path = spec.path(seeded);
    const response = await page.goto(path, { waitUntil: "networkidle" });
    const status = role === "signed out" ? (spec.status ?? 200) : expectedStatus(spec, role);
    expect(response?.status(), `${path} as ${role}`).toBe(status);
    expect(page.viewportSize()?.width).toBe(360);

    const scroll = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(await overflowing(page), `${path}: past the screen's edge`).toEqual([]);
    expect(scroll.scrollWidth, `${path} scrolls sideways`).toBeLessThanOrEqual(scroll.clientWidth);
    expect(await smallTargets(page, TARGET), `${path}: targets under ${TARGET} px`).toEqual([]);
  });
}

// An axe-core accessibility scan of every page (tests/pages.ts), signed in as a manager and as
// staff, with JavaScript on and off: any serious or critical violation fails the page. Each page's
// violations by impact are printed, and the whole table once more at the end (for the notes).
import AxeBuilder from "@axe-core/playwright";
import { devices, expect, test } from "@playwright/test";
import { jsOff } from "./helpers";
import { expectedStatus, PAGES, seedPages, type Role, type Seeded } from "./pages";

const IMPACTS = ["critical", "serious", "moderate", "minor"] as const;
type Impact = (typeof IMPACTS)[number];
const FAILING: Impact[] = ["critical", "serious"];

interface Row {
  role: Role | "signed out";
  page: string;
  path: string;
  counts: Record<Impact, number>;
  rules: string[];
}
const summary: Row[] = [];

let seeded: Seeded;
let sessions: Awaited<ReturnType<typeof seedPages>>["sessions"];

test.describe.configure({ mode: "default" });

test.beforeAll(async ({ browser }, testInfo) => {
  test.setTimeout(90_000);
  const done = await seedPages(browser, testInfo);
  seeded = done.seeded;
  sessions = done.sessions;
});

/** One page's line of the summary: role, address, violating nodes by impact, and the rules. */
function line(r: Row): string {
  const counts = IMPACTS.map((i) => `${r.counts[i]} ${i}`).join(", ");
  const rules = r.rules.length ? ` — ${r.rules.join("; ")}` : "";
  return `${r.role.padEnd(10)} ${r.path.padEnd(34)} ${counts}${rules}`;
}

test.afterAll(async ({}, testInfo) => {
  const lines = summary.map((r) => `  ${line(r)}`).join("\n");
  console.log(`axe-core results [${testInfo.project.name}] (role, page, violating nodes by impact):\n${lines}`);
});

const visits: { role: Role | "signed out"; spec: (typeof PAGES)[number] }[] = [];
for (const spec of PAGES) {
  if (spec.signedOut) visits.push({ role: "signed out", spec });
  else for (const role of ["manager", "staff"] as const) visits.push({ role, spec });
}

for (const { role, spec } of visits) {
  test(`axe: ${spec.name} (${role})`, async ({ browser, context: ownContext, page: ownPage }, testInfo) => {
    // axe-core runs in the page, which a context without JavaScript cannot do (its evaluate
    // never settles). Without JavaScript, then, the page is scanned in a context that runs
    // scripts but is served none: every script request is refused, so the page stays the
    // server's HTML, as a visitor without JavaScript gets it, and nothing hydrates.
    const noJs = jsOff(testInfo.project.name);
    const context = noJs
      ? await browser.newContext({ ...devices["Desktop Chrome"], baseURL: testInfo.project.use.baseURL, javaScriptEnabled: true })
      : ownContext;
    const page = noJs ? await context.newPage() : ownPage;
    if (noJs) await page.route("**/*", (route) => (route.request().resourceType() === "script" ? route.abort() : route.continue()));
    if (role !== "signed out") await context.addCookies(sessions[role]);
    const path = spec.path(seeded);
    const response = await page.goto(path, { waitUntil: "networkidle" });
    const status = role === "signed out" ? (spec.status ?? 200) : expectedStatus(spec, role);
    expect(response?.status(), `${path} as ${role}`).toBe(status);
    await expect(page).toHaveURL(new RegExp(`${path.replace(/[?]/g, "\\?")}$`));

    const results = await new AxeBuilder({ page }).analyze();
    const counts = Object.fromEntries(IMPACTS.map((i) => [i, 0])) as Record<Impact, number>;
    for (const v of results.violations) counts[(v.impact ?? "minor") as Impact] += v.nodes.length;
    const rules = results.violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
    const row = { role, page: spec.name, path, counts, rules };
    summary.push(row);
    console.log(`axe [${testInfo.project.name}] ${line(row)}`);

    const failing = results.violations.filter((v) => FAILING.includes(v.impact as Impact));
    const details = failing.map(
      (v) =>
        `${v.id} [${v.impact}] ${v.help}\n` +
        v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.replace(/\n/g, " ")}`).join("\n"),
    );
    if (noJs) await context.close();
    expect(failing, `${path} as ${role}:\n${details.join("\n")}`).toEqual([]);
  });
}

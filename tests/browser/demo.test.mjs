// Browser test of the built demo (www/dist, built by `npx vite build www`; this test builds
// nothing): serves it on 127.0.0.1, drives Debian's chromium headless through playwright-core,
// and checks what the page shows against the package's own answers computed here in Node from
// the same sample. Fails on any console error, page error or failed request. Screenshots of each
// view go to artifacts/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, serve, launchChromium, watchErrors, importPackage } from "./harness.mjs";
import { SAMPLE, ANALYSIS, IMPORT_OPTIONS, packageMapping } from "../../www/src/sample.js";
import { percent, money, count, setCurrency } from "../../www/src/format.js";

const DIST = join(ROOT, "www", "dist");
const SHOTS = join(ROOT, "artifacts", "screenshots");
const TIMEOUT = 120_000;

let server, browser, page, regulars, userDir;
const errors = [];
const expected = {};

/**
 * A small shop export: 300 customers over two years, drawn from a BG/NBD process (each customer
 * buys at their own rate and may leave after any purchase) so the models can fit it; a header
 * the mapping step must guess; and three bad lines.
 */
function smallCsv() {
  const products = ["Tea towel", "Mug", "Teapot", "Biscuit tin", "Apron", "Candle", "Notebook", "Tote bag", "Tray", "Jam jar"];
  const lines = ["order_id,customer_id,order_date,product,total"];
  let state = 12345;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  const start = Date.UTC(2023, 0, 1);
  const span = 730;
  let order = 1000;
  for (let c = 1; c <= 300; c++) {
    const rate = -Math.log(rand()) * 0.03; // purchases per day while active (Gamma(1) heterogeneity)
    const dropout = 0.15 + 0.6 * rand(); // chance of leaving after each purchase
    let day = Math.floor(rand() * 365);
    while (day < span) {
      const date = new Date(start + day * 86400000).toISOString().slice(0, 10);
      const items = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < items; i++) {
        lines.push(`${order},C${String(c).padStart(3, "0")},${date},${products[(c * 7 + order + i * 3) % products.length]},${(5 + rand() * 40).toFixed(2)}`);
      }
      order++;
      if (rand() < dropout) break;
      day += 1 + Math.floor(-Math.log(rand()) / Math.max(rate, 0.002));
    }
  }
  lines.push(`${order++},,2024-03-01,Mug,12.00`); // no customer
  lines.push(`${order++},C001,not a date,Mug,12.00`); // unparsable time
  lines.push(`${order++},C002,2024-03-02,Mug,-3.00`); // negative amount
  return lines.join("\n") + "\n";
}
const UPLOAD_MAPPING = { customer: "customer_id", time: "order_date", item: "product", amount: "total", invoice: "order_id" };

before(async () => {
  assert.ok(existsSync(join(DIST, "index.html")), "www/dist is missing: build the demo first (npx vite build www)");
  regulars = await importPackage();
  setCurrency(SAMPLE.currency);
  const text = readFileSync(join(ROOT, "www", "public", "sample", "online-retail-sample.csv"), "utf8");
  const tx = regulars.Transactions.fromCsv(text, packageMapping(SAMPLE.mapping), IMPORT_OPTIONS);
  const churn = regulars.ChurnModel.fit(tx, { horizon: ANALYSIS.horizon, seed: ANALYSIS.seed });
  const scores = churn.score(tx);
  const risk = scores.risk, clv = scores.clv, alive = scores.probabilityAlive;
  expected.report = tx.report;
  expected.customers = scores.customers.length;
  expected.byId = new Map(scores.customers.map((id, i) => [id, { risk: risk[i], clv: clv[i], alive: alive[i] }]));
  expected.maxRisk = Math.max(...risk);
  expected.rec = regulars.Recommender.fit(tx, { ...ANALYSIS.recommender, seed: ANALYSIS.seed });
  const small = regulars.Transactions.fromCsv(smallCsv(), UPLOAD_MAPPING, IMPORT_OPTIONS);
  expected.small = { report: small.report, customers: small.customerCount };

  server = await serve(DIST);
  userDir = mkdtempSync(join(tmpdir(), "regulars-chromium-"));
  browser = await launchChromium(userDir);
  page = browser.pages()[0] ?? (await browser.newPage());
  watchErrors(page, errors);
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (userDir) rmSync(userDir, { recursive: true, force: true });
});

const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const text = async (sel) => (await page.locator(sel).first().innerText()).trim();
const noErrors = () => assert.deepEqual(errors, [], `the page reported errors:\n${errors.join("\n")}`);

test("the sample shop is scored and its numbers match the package's", { timeout: TIMEOUT }, async () => {
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.state !== "loading", null, { timeout: TIMEOUT });
  assert.equal(await page.evaluate(() => document.body.dataset.state), "ready", await text("[data-testid=error]").catch(() => ""));
  assert.equal(await text("[data-testid=kpi-customers] .value"), count(expected.customers));
  assert.equal(await text("[data-testid=source-customers]"), count(expected.customers));
  await page.locator("button[data-view=data]").click();
  assert.equal(await text("[data-testid=report-rows]"), count(expected.report.rows));
  assert.equal(await text("[data-testid=report-kept]"), count(expected.report.kept));
  assert.match(await text("[data-testid=attribution]"), /CC BY 4\.0/);
  await page.locator("button[data-view=overview]").click();
  await shot("overview");
  noErrors();
});

test("the at-risk table shows the package's risk, sorted", { timeout: TIMEOUT }, async () => {
  await page.locator("button[data-view=at-risk]").click();
  await page.locator("[data-testid=risk-table] th[data-key=risk]").click(); // sort by risk, highest first
  const rows = page.locator("[data-testid=risk-table] tbody tr");
  assert.ok((await rows.count()) > 10);
  for (let i = 0; i < 5; i++) {
    const id = await rows.nth(i).getAttribute("data-customer");
    const want = expected.byId.get(id);
    assert.ok(want, `customer ${id} shown but unknown to the package`);
    assert.equal((await rows.nth(i).locator("[data-col=risk]").innerText()).trim(), percent(want.risk), `risk of ${id}`);
    assert.equal((await rows.nth(i).locator("[data-col=alive]").innerText()).trim(), percent(want.alive), `P(alive) of ${id}`);
    assert.equal((await rows.nth(i).locator("[data-col=clv]").innerText()).trim(), money(want.clv), `CLV of ${id}`);
  }
  assert.equal((await rows.first().locator("[data-col=risk]").innerText()).trim(), percent(expected.maxRisk));
  await page.locator("[data-testid=risk-table] th[data-key=valueAtRisk]").click();
  await shot("at-risk");
  noErrors();
});

test("a customer opens with history, P(alive) over time, recommendations and offers", { timeout: TIMEOUT }, async () => {
  const row = page.locator("[data-testid=risk-table] tbody tr").first();
  const id = await row.getAttribute("data-customer");
  await row.click();
  await page.locator("#customer-detail").waitFor({ state: "visible", timeout: TIMEOUT });
  assert.match(await text("[data-testid=customer-title]"), new RegExp(`Customer ${id}`));
  const want = expected.byId.get(id);
  assert.equal(await text("[data-testid=customer-risk] .value"), percent(want.risk));
  assert.equal(await text("[data-testid=customer-clv] .value"), money(want.clv));
  // The risk-over-time curve ends today on exactly the model's score (same history, no shift).
  const riskToday = Number(await page.locator("[data-testid=risk-over-time]").getAttribute("data-risk-today"));
  assert.ok(Math.abs(riskToday - want.risk) < 1e-9, `risk over time ends at ${riskToday}, the model says ${want.risk}`);
  const items = await page.locator("[data-testid=email-products] .product").evaluateAll((els) => els.map((e) => e.dataset.item));
  const recs = expected.rec.recommend(id, { k: ANALYSIS.k }).map((r) => r.item);
  assert.deepEqual(items, recs, "recommended products");
  assert.ok((await page.locator("[data-testid=offer-table] tr[data-offer]").count()) >= 2, "ranked offers shown");
  assert.ok((await text("[data-testid=email-subject]")).length > 5);
  await shot("customer");
  noErrors();
});

test("the offers view runs a simulated campaign", { timeout: TIMEOUT }, async () => {
  await page.locator("button[data-view=offers]").click();
  await page.waitForFunction(() => document.body.dataset.simulated === "yes", null, { timeout: TIMEOUT });
  for (const p of ["ranker", "none", "pct10"]) assert.match(await text(`[data-testid=sim-${p}] .value`), /\d/);
  assert.ok((await page.locator("#chart-sim-mix").boundingBox()).height > 100);
  await shot("offers");
  noErrors();
});

test("an uploaded CSV goes through column mapping and the import report", { timeout: TIMEOUT }, async () => {
  await page.locator("button[data-view=data]").click();
  await page.locator("#file").setInputFiles({ name: "my-shop.csv", mimeType: "text/csv", buffer: Buffer.from(smallCsv()) });
  await page.locator("#mapping").waitFor({ state: "visible" });
  for (const [field, column] of Object.entries(UPLOAD_MAPPING)) {
    assert.equal(await page.locator(`#map-${field}`).inputValue(), column, `guessed column for ${field}`);
  }
  await shot("data-mapping");
  await page.locator("#analyse").click();
  await page.waitForFunction(
    () => document.body.dataset.state !== "loading" &&
      (/my-shop\.csv/.test(document.querySelector("[data-testid=source]").textContent) || !document.querySelector("[data-testid=error]").hidden),
    null, { timeout: TIMEOUT });
  assert.ok(await page.locator("[data-testid=error]").isHidden(), await text("[data-testid=error]").catch(() => ""));
  assert.equal(await page.evaluate(() => document.body.dataset.state), "ready", await text("[data-testid=error]").catch(() => ""));
  assert.equal(await text("[data-testid=source-customers]"), count(expected.small.customers));
  assert.equal(await text("[data-testid=report-rows]"), count(expected.small.report.rows));
  assert.equal(await text("[data-testid=report-kept]"), count(expected.small.report.kept));
  const reasons = await page.locator("[data-testid=report-dropped] tr").count();
  assert.equal(reasons, Object.keys(expected.small.report.dropped).length);
  await shot("data-import");
  await page.locator("button[data-view=overview]").click();
  assert.equal(await text("[data-testid=kpi-customers] .value"), count(expected.small.customers));
  await shot("overview-upload");
  noErrors();
});

test("a CSV with no usable line gives a plain message and keeps the current data", { timeout: TIMEOUT }, async () => {
  await page.locator("button[data-view=data]").click();
  const unusable = "customer,date,amount\nann,yesterday,10\nann,last week,12\nbob,soon,7\n";
  await page.locator("#file").setInputFiles({ name: "unusable.csv", mimeType: "text/csv", buffer: Buffer.from(unusable) });
  await page.locator("#mapping").waitFor({ state: "visible" });
  await page.locator("#analyse").click();
  await page.waitForFunction(
    () => document.body.dataset.state !== "loading" &&
      (!document.querySelector("[data-testid=error]").hidden || /unusable\.csv/.test(document.querySelector("[data-testid=source]").textContent)),
    null, { timeout: TIMEOUT });
  const message = await text("[data-testid=error]");
  assert.match(message, /^Could not analyse unusable\.csv: .*no usable rows/);
  assert.doesNotMatch(message, /unreachable|RuntimeError/);
  assert.equal(await text("[data-testid=source-customers]"), count(expected.small.customers), "the previous data stays on screen");
  assert.equal(await page.evaluate(() => document.body.dataset.state), "ready");
  await shot("data-error");
  noErrors();
});

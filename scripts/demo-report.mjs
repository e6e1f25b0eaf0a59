// `make demo`'s main job: a short retention report for the sample shop (the Online Retail slice
// embedded in www/), computed with the built package exactly as a shop's own code would call it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { importInstalled } from "./installed-package.mjs";

const r = await importInstalled(); // the tarball `make pack` wrote, installed as a user would
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const csv = readFileSync(path.join(root, "www/public/sample/online-retail-sample.csv"));

const money = (x) => `£${x.toLocaleString("en-GB", { maximumFractionDigits: 0 })}`;
const percent = (x) => `${(100 * x).toFixed(1)} %`;
const pad = (s, n) => String(s).padEnd(n);
const padStart = (s, n) => String(s).padStart(n);

// Product names for display, from the same file.
const descriptions = new Map();
for (const line of csv.toString("utf8").split("\n").slice(1)) {
  const f = line.match(/("([^"]|"")*"|[^,]*)/g)?.filter((_, i) => i % 2 === 0) ?? [];
  if (f[1] && f[2] && !descriptions.has(f[1])) descriptions.set(f[1], f[2].replace(/^"|"$/g, "").trim());
}

const t0 = performance.now();
const mapping = { customer: "CustomerID", time: "InvoiceDate", item: "StockCode", quantity: "Quantity", price: "UnitPrice", invoice: "InvoiceNo" };
const tx = r.Transactions.fromCsv(csv, mapping, { netCancellations: true });
const { rows, kept, dropped } = tx.report;
console.log("regulars — retention report for the sample shop (Online Retail slice, CC BY 4.0; see www/public/sample/ATTRIBUTION.md)\n");
console.log(`Imported ${kept.toLocaleString()} of ${rows.toLocaleString()} order lines; dropped: ${Object.entries(dropped).map(([k, v]) => `${v} ${k}`).join(", ") || "none"}.`);
console.log(`${tx.customerCount} customers, ${tx.itemCount} products.`);

const measures = tx.shopMeasures();
console.log(`Repeat-purchase rate ${percent(measures.repeatPurchaseRate)}; the top 20 % of customers bring ${percent(measures.top20RevenueShare)} of revenue.`);
const crr = tx.retentionRates(91).filter((p) => p.retentionRate !== null);
console.log(`Customer retention rate per quarter (CRR = (E − N) / S): ${crr.map((p) => `${p.retentionRate.toFixed(0)} %`).join(", ")}.\n`);

const summary = tx.summary();
const rfm = summary.rfm();
const bySegment = new Map();
rfm.segment.forEach((seg, i) => {
  const entry = bySegment.get(seg) ?? { customers: 0, revenue: 0 };
  entry.customers++;
  entry.revenue += summary.totalSpend[i];
  bySegment.set(seg, entry);
});
console.log("RFM segments                customers   revenue");
for (const [seg, { customers, revenue }] of [...bySegment].sort((a, b) => b[1].revenue - a[1].revenue)) {
  console.log(`  ${pad(seg, 24)} ${padStart(customers, 9)} ${padStart(money(revenue), 10)}`);
}

const churn = r.ChurnModel.fit(tx, { horizon: 90, seed: 1 });
const scores = churn.score(tx);

let recommender = null;
if (r.Recommender) recommender = r.Recommender.fit(tx, { seed: 1 });
// Mean spend per purchase day, the order value the offers are priced against.
const orderValue = summary.totalSpend.reduce((a, b) => a + b, 0) / [...summary.frequency].reduce((a, f) => a + f + 1, 0);
let ranker = null;
if (r.OfferRanker) {
  ranker = new r.OfferRanker({
    offers: [
      { id: "10-off", kind: "percent_off", value: 10 },
      { id: "free-shipping", kind: "free_shipping", cost: 4 },
      { id: "bonus-points", kind: "bonus_points", value: 5 },
      { id: "gift", kind: "gift", cost: 3, eligible: { segments: ["Champions", "Loyal Customers", "Can't Lose Them"] } },
    ],
    margin: 0.35 * orderValue, // a 35 % gross margin on an average order
    marginRate: 0.35,
    seed: 1,
  });
}

// Most at risk among the customers worth keeping: a real repeat buyer (two or more orders) with a
// CLV above the median, ranked by risk.
const clvSorted = [...scores.clv].sort((a, b) => a - b);
const medianClv = clvSorted[Math.floor(clvSorted.length / 2)];
const frequency = new Map(summary.customers.map((c, i) => [c, summary.frequency[i]]));
const atRisk = scores.customers
  .map((c, i) => i)
  .filter((i) => frequency.get(scores.customers[i]) >= 1 && scores.clv[i] > medianClv)
  .sort((a, b) => scores.risk[b] - scores.risk[a])
  .slice(0, 10);
console.log(`\nRisk model: ${churn.method === "supervised" ? "BG/NBD with a validated logistic layer" : "BG/NBD"}; risk = probability of no purchase in the next ${churn.horizon} days.`);
// The model's own warnings (fallback fits, dropout not identified, chance-level ranking): the
// list below means little when they say so.
const warnings = churn.warnings ?? [];
if (warnings.length > 0) {
  console.log(`Warnings (${warnings.length}):`);
  for (const w of warnings) console.log(`  ! ${w}`);
}
console.log("The 10 valuable customers most at risk:");
console.log("  customer   risk   P(alive)  CLV (1 yr)  segment               next products / offer");
for (const i of atRisk) {
  const c = scores.customers[i];
  const products = recommender
    ? recommender.recommend(c, { k: 3 }).map((x) => descriptions.get(x.item) ?? x.item).join("; ")
    : "";
  const offer = ranker
    ? ranker.rank({ customer: c, risk: scores.risk[i], clv: scores.clv[i], segment: scores.segment[i], orderValue }).ranking[0]
    : null;
  console.log(`  ${pad(c, 9)} ${padStart(percent(scores.risk[i]), 6)} ${padStart(percent(scores.probabilityAlive[i]), 8)} ${padStart(money(scores.clv[i]), 11)}  ${pad(scores.segment[i], 21)} ${products}${offer ? ` | offer: ${offer.offer} (${offer.expectedValue >= 0 ? "+" : ""}${offer.expectedValue.toFixed(2)})` : ""}`);
}
console.log(`\nComputed in ${((performance.now() - t0) / 1000).toFixed(2)} s, in WebAssembly, with no server.`);

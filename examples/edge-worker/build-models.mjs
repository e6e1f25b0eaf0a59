// Fits the edge worker's models on the demo's sample shop and saves them with toBytes():
//   node build-models.mjs [--pkg DIR] [--out DIR]   (in examples/edge-worker, after `npm install`)
// Writes churn.bin, recommender.bin, ranker.bin (an OfferRanker that has learnt from a simulated
// campaign) and customers.json (each customer's summary, segment and typical order value) into
// models/ next to this file. Exported as buildModels() for the workerd test.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SAMPLE, ANALYSIS, IMPORT_OPTIONS, packageMapping } from "../../www/src/sample.js";
import { rankerOptions, simulateCampaign } from "../../www/src/offers.js";
import { parseCsv, parseTime } from "../../www/src/csv.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");

/**
 * The package: `import("regulars")` as installed in this folder (`npm install`), or its Node entry
 * ("node" export) from another package directory (`--pkg DIR`).
 */
export async function importPackage(pkgDir) {
  if (!pkgDir) return import("regulars");
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const dot = manifest.exports?.["."] ?? manifest.exports;
  const pick = (e) => (typeof e === "string" ? e : e && (pick(e.node) ?? pick(e.import) ?? pick(e.default)));
  return import(pathToFileURL(join(pkgDir, pick(dot) ?? manifest.main)).href);
}

/**
 * Each customer's purchases, one per UTC day (time of the day's first line, the day's total), read
 * with the importer's rules for the sample: no cancellations (invoice "C…"), amount = quantity x
 * price > 0, ids without a trailing ".0".
 */
export function purchasesByCustomer(text, mapping) {
  const rows = parseCsv(text);
  const col = (k) => rows[0].indexOf(mapping[k]);
  const [ci, ti, qi, pi, vi] = ["customer", "time", "quantity", "price", "invoice"].map(col);
  const byCustomer = new Map();
  for (const row of rows.slice(1)) {
    const id = (row[ci] ?? "").trim().replace(/\.0+$/, "");
    const time = parseTime(row[ti] ?? "");
    const amount = parseFloat(row[qi]) * parseFloat(row[pi]);
    if (!id || !Number.isFinite(time) || /^c/i.test(row[vi] ?? "") || !(amount > 0)) continue;
    if (!byCustomer.has(id)) byCustomer.set(id, new Map());
    const days = byCustomer.get(id);
    const day = Math.floor(time / 86400000);
    const d = days.get(day) ?? { time, amount: 0 };
    d.time = Math.min(d.time, time);
    d.amount += amount;
    days.set(day, d);
  }
  const out = new Map();
  for (const [id, days] of byCustomer) {
    const list = [...days.values()].sort((a, b) => a.time - b.time);
    out.set(id, { time: list.map((d) => d.time), amount: list.map((d) => d.amount) });
  }
  return out;
}

export async function buildModels({ regulars, outDir = join(HERE, "models"), rounds = 2000 } = {}) {
  regulars ??= await importPackage();
  const text = readFileSync(join(ROOT, "www", "public", "sample", "online-retail-sample.csv"), "utf8");
  const tx = regulars.Transactions.fromCsv(text, packageMapping(SAMPLE.mapping), IMPORT_OPTIONS);
  const churn = regulars.ChurnModel.fit(tx, { horizon: ANALYSIS.horizon, seed: ANALYSIS.seed });
  const rec = regulars.Recommender.fit(tx, { ...ANALYSIS.recommender, seed: ANALYSIS.seed });
  const scores = churn.score(tx);
  const purchases = purchasesByCustomer(text, SAMPLE.mapping);
  const risk = scores.risk, clv = scores.clv, segment = scores.segment;
  const customers = {};
  const population = [];
  const ids = scores.customers;
  ids.forEach((id, j) => {
    const p = purchases.get(id);
    if (!p) throw new Error(`customer ${id} is in the package's import but not in build-models' own reading`);
    const orderValue = p.amount.reduce((a, b) => a + b, 0) / p.amount.length;
    customers[id] = { ...p, segment: segment[j], orderValue };
    population.push({ id, risk: risk[j], clv: clv[j], segment: segment[j], orderValue });
  });
  // Teach the ranker on a simulated campaign, then save what it learnt: the package's
  // OfferSimulator when it has one, else the demo's simulator on this shop's customers.
  let ranker;
  if (typeof regulars.OfferSimulator === "function") {
    const simulator = new regulars.OfferSimulator({ seed: ANALYSIS.seed });
    ranker = new regulars.OfferRanker(simulator.rankerOptions(ANALYSIS.seed));
    simulator.run(ranker, rounds);
  } else {
    ranker = new regulars.OfferRanker(rankerOptions(ANALYSIS.seed));
    simulateCampaign({
      customers: population, rounds, seed: ANALYSIS.seed, marginRate: rankerOptions().marginRate,
      rankWith: (ctx) => ranker.rank(ctx), rewardWith: (id, r) => ranker.reward(id, r),
    });
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "churn.bin"), churn.toBytes());
  writeFileSync(join(outDir, "recommender.bin"), rec.toBytes());
  writeFileSync(join(outDir, "ranker.bin"), ranker.toBytes());
  writeFileSync(join(outDir, "customers.json"), JSON.stringify(customers));
  return { outDir, customers, count: ids.length };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const regulars = await importPackage(opt("--pkg") ? resolve(opt("--pkg")) : undefined);
  const { outDir, count } = await buildModels({ regulars, outDir: opt("--out") ? resolve(opt("--out")) : undefined });
  console.log(`saved models for ${count} customers in ${outDir}`);
}

// Fits the edge worker's models on the demo's sample shop and saves them with toBytes():
//   node examples/edge-worker/build-models.mjs [--pkg DIR] [--out DIR]
// Writes churn.bin, recommender.bin, ranker.bin (an OfferRanker that has learnt from a simulated
// campaign) and customers.json (each customer's summary, segment and typical order value) into
// models/ next to this file. Exported as buildModels() for the workerd test.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SAMPLE, ANALYSIS } from "../../www/src/sample.js";
import { rankerOptions, simulateCampaign } from "../../www/src/offers.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");

/** The package's Node entry ("node" export) from a pkg/ directory, without installing it. */
export async function importPackage(pkgDir = process.env.REGULARS_PKG ? resolve(process.env.REGULARS_PKG) : join(ROOT, "pkg")) {
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const dot = manifest.exports?.["."] ?? manifest.exports;
  const pick = (e) => (typeof e === "string" ? e : e && (pick(e.node) ?? pick(e.import) ?? pick(e.default)));
  return import(pathToFileURL(join(pkgDir, pick(dot) ?? manifest.main)).href);
}

export async function buildModels({ regulars, outDir = join(HERE, "models"), rounds = 2000 } = {}) {
  regulars ??= await importPackage();
  const text = readFileSync(join(ROOT, "www", "public", "sample", "online-retail-sample.csv"), "utf8");
  const tx = regulars.Transactions.fromCsv(text, SAMPLE.mapping);
  const churn = regulars.ChurnModel.fit(tx, { horizon: ANALYSIS.horizon, seed: ANALYSIS.seed });
  const rec = regulars.Recommender.fit(tx, { ...ANALYSIS.recommender, seed: ANALYSIS.seed });
  const s = tx.summary();
  const scores = churn.score(tx);
  const ids = s.customers, frequency = s.frequency, recency = s.recency, T = s.T, monetary = s.monetary;
  const total = s.totalSpend;
  const scoreIndex = new Map(scores.customers.map((id, i) => [id, i]));
  const risk = scores.risk, clv = scores.clv, segment = scores.segment;
  const customers = {};
  const population = [];
  ids.forEach((id, i) => {
    const j = scoreIndex.get(id);
    const orderValue = total[i] / (frequency[i] + 1);
    customers[id] = { frequency: frequency[i], recency: recency[i], T: T[i], monetary: monetary[i], segment: segment[j], orderValue };
    population.push({ id, risk: risk[j], clv: clv[j], segment: segment[j], orderValue });
  });
  // Teach the ranker on a simulated campaign (the demo's simulator), then save what it learnt.
  const ranker = new regulars.OfferRanker(rankerOptions(ANALYSIS.seed));
  simulateCampaign({
    customers: population, rounds, seed: ANALYSIS.seed, margin: rankerOptions().margin,
    rankWith: (ctx) => ranker.rank(ctx), rewardWith: (id, r) => ranker.reward(id, r),
  });
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

// `regulars/serve`, the serving build: every model kind fitted and saved by the full build loads
// in it and answers exactly as the full build does (same bytes in, same numbers out), and the
// fitting half of the API is absent rather than broken.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { r as full, cdnowColumns, DAY, onlineRetailCsv, onlineRetailMapping } from "./helpers.mjs";
import { importInstalled } from "../../scripts/installed-package.mjs";

const serve = await importInstalled("/serve");

const cdnow = full.Transactions.fromColumns(cdnowColumns("CDNOW_sample.txt"));
const calibration = cdnow.summary({ unit: "week" });
const retail = full.Transactions.fromCsv(onlineRetailCsv(), onlineRetailMapping);
const someCustomers = retail.customers.slice(0, 40);
const someItems = retail.items.slice(0, 5);

/** The same summary, built in each module from plain columns. */
function summaries() {
  const columns = { customer: calibration.customers, frequency: calibration.frequency, recency: calibration.recency, T: calibration.T, monetary: calibration.monetary, unit: "week" };
  return { f: full.Summary.fromColumns(columns), s: serve.Summary.fromColumns(columns) };
}

test("serve: the fitting half of the API is not in the serving build", () => {
  for (const name of ["BetaGeo", "ModifiedBetaGeo", "ParetoNbd", "GammaGamma", "ChurnModel", "Recommender"]) {
    assert.equal(typeof full[name].fit, "function", name);
    assert.equal(serve[name].fit, undefined, name);
  }
  assert.equal(serve.Transactions.fromCsv, undefined);
  assert.equal(serve.OfferSimulator, undefined);
  assert.equal(serve.evaluateRecommender, undefined);
  assert.equal(serve.OfferRanker.prototype.reward, undefined);
  assert.equal(typeof serve.Recommender.prototype.recommendMany, "function");
});

for (const kind of ["BetaGeo", "ModifiedBetaGeo", "ParetoNbd"]) {
  test(`serve: a ${kind} saved by the full build scores identically`, () => {
    const fitted = full[kind].fit(calibration, { penalizer: 0.001 });
    const loaded = serve[kind].fromBytes(fitted.toBytes());
    const { f, s } = summaries();
    assert.deepEqual(loaded.params, fitted.params);
    // The fit's diagnostics travel in the bytes and load without the fitting code.
    assert.equal(fitted.diagnostics.converged, true);
    assert.deepEqual(loaded.diagnostics, fitted.diagnostics);
    assert.deepEqual(loaded.probabilityAlive(s), fitted.probabilityAlive(f));
    assert.deepEqual(loaded.expectedPurchases(39, s), fitted.expectedPurchases(39, f));
    assert.deepEqual(loaded.probabilityNoPurchase(13, s), fitted.probabilityNoPurchase(13, f));
    assert.deepEqual(loaded.toBytes(), fitted.toBytes());
    const spend = full.GammaGamma.fit(calibration);
    const spendLoaded = serve.GammaGamma.fromBytes(spend.toBytes());
    assert.deepEqual(spendLoaded.expectedSpend(s), spend.expectedSpend(f));
    assert.deepEqual(spendLoaded.diagnostics, spend.diagnostics);
    const clv = { horizon: 52, discountRate: 0.002 };
    assert.deepEqual(serve.customerLifetimeValue(loaded, spendLoaded, s, clv), full.customerLifetimeValue(fitted, spend, f, clv));
  });
}

test("serve: a ChurnModel saved by the full build scores transactions and summaries identically", () => {
  const fitted = full.ChurnModel.fit(cdnow, { seed: 3 });
  const loaded = serve.ChurnModel.fromBytes(fitted.toBytes());
  const columns = cdnowColumns("CDNOW_sample.txt");
  const txServe = serve.Transactions.fromColumns(columns);
  assert.deepEqual(loaded.score(txServe), fitted.score(cdnow));
  const { f, s } = summaries();
  assert.deepEqual(loaded.score(s), fitted.score(f));
  assert.equal(loaded.method, fitted.method);
  assert.deepEqual(loaded.validation, fitted.validation);
  assert.deepEqual(loaded.warnings, fitted.warnings);
});

test("serve: a small-shop ChurnModel's warnings load in the serving build", () => {
  // 20 customers, each buying every week to the end: the fit falls back and says so.
  const customer = [], time = [];
  for (let i = 0; i < 20; i++) for (let day = i; day <= 364; day += 7) { customer.push(`c${i}`); time.push(Date.UTC(2020, 0, 1) + day * DAY); }
  const fitted = full.ChurnModel.fit(full.Transactions.fromColumns({ customer, time }));
  assert.ok(fitted.warnings.length > 0);
  const loaded = serve.ChurnModel.fromBytes(fitted.toBytes());
  assert.deepEqual(loaded.warnings, fitted.warnings);
});

/** Everything a Recommender answers for some customers and items, as plain data. */
function recommenderAnswers(m, customers = someCustomers, items = someItems) {
  const out = { algorithm: m.algorithm, recommend: [], explain: [] };
  for (const c of customers.slice(0, 10)) {
    out.recommend.push(m.recommend(c, { k: 10 }));
    out.explain.push(m.explain(c, items[0]));
  }
  out.many = m.recommendMany(customers, { k: 5 });
  out.basket = m.recommendForItems(items, { k: 8 });
  out.similar = m.similarItems(items[1], { k: 8 });
  return out;
}

const fittedRecommenders = new Map();
const recommender = (algorithm) => {
  if (!fittedRecommenders.has(algorithm)) {
    fittedRecommenders.set(algorithm, full.Recommender.fit(retail, { algorithm, factors: 16, iterations: 4, neighbours: 20, seed: 2 }));
  }
  return fittedRecommenders.get(algorithm);
};

for (const algorithm of ["als", "itemknn", "popular", "auto"]) {
  for (const quantization of [undefined, "f32", "f16", "int8"]) {
    test(`serve: a Recommender (${algorithm}, ${quantization ?? "default encodings"}) saved by the full build recommends identically`, () => {
      const fitted = recommender(algorithm);
      const options = quantization ? { quantization } : undefined;
      const bytes = fitted.toBytes(options);
      const reference = full.Recommender.fromBytes(bytes); // quantised factors: compare with the same bytes loaded in full
      const loaded = serve.Recommender.fromBytes(bytes);
      assert.deepEqual(recommenderAnswers(loaded), recommenderAnswers(reference));
      // f32 bytes hold the fitted model exactly: the serve build answers as the model in memory.
      if (quantization === "f32") assert.deepEqual(recommenderAnswers(loaded), recommenderAnswers(fitted));
      assert.deepEqual(loaded.toBytes(options), reference.toBytes(options));
    });
  }
}

// Format-1 bytes (regulars 0.1, tests/data/fixtures/recommender-v1/): the serving build cannot
// recompute what they lack and says how to convert; the full build loads them, and its re-saved
// bytes answer in the serving build exactly as the old bytes do in the full build.
// The fixtures' data (make.mjs there): the first 3,000 lines of the demo's sample.
const sampleText = readFileSync(new URL("../../www/public/sample/online-retail-sample.csv", import.meta.url), "utf8").split("\n").slice(0, 3000).join("\n");
const sampleTx = full.Transactions.fromCsv(sampleText, { ...onlineRetailMapping, invoice: "InvoiceNo" });
const sampleCustomers = sampleTx.customers.slice(0, 40);
const sampleItems = sampleTx.items.slice(0, 5);
for (const name of ["als", "itemknn", "popular", "auto", "als-int8", "auto-f16"]) {
  test(`serve: format-1 recommender bytes (${name}) are refused with the way to convert them`, () => {
    const old = new Uint8Array(readFileSync(new URL(`../data/fixtures/recommender-v1/${name}.bin`, import.meta.url)));
    assert.throws(() => serve.Recommender.fromBytes(old), (e) => e instanceof Error
      && /saved by regulars < 0\.2 \(format 1\), which the serving build cannot load: load them with the full build \(regulars\) and save them again \(toBytes\)/.test(e.message));
    const v1 = full.Recommender.fromBytes(old);
    const converted = serve.Recommender.fromBytes(v1.toBytes({ quantization: "f32" }));
    assert.deepEqual(recommenderAnswers(converted, sampleCustomers, sampleItems), recommenderAnswers(v1, sampleCustomers, sampleItems));
  });
}

test("serve: an OfferRanker trained by the full build ranks identically (decision records included)", () => {
  const sim = new full.OfferSimulator({ seed: 5 });
  const trained = new full.OfferRanker(sim.rankerOptions(7));
  sim.run(trained, 300);
  const bytes = trained.toBytes();
  const a = full.OfferRanker.fromBytes(bytes);
  const b = serve.OfferRanker.fromBytes(bytes);
  assert.equal(b.rewardsSeen, a.rewardsSeen);
  for (let i = 0; i < 50; i++) {
    const context = { customer: `c${i}`, risk: (i % 10) / 10, clv: 20 + 7 * i, segment: i % 2 ? "Champions" : "At Risk", orderValue: 30 + i };
    // The decision's time is Date.now() at each call: the one field that may differ.
    const untimed = ({ decision, ...rest }) => ({ ...rest, decision: { ...decision, time: 0 } });
    assert.deepEqual(untimed(b.rank(context)), untimed(a.rank(context)));
  }
  assert.deepEqual(b.toBytes(), a.toBytes());
});

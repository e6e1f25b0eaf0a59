// `regulars/serve`, the serving build: every model kind fitted and saved by the full build loads
// in it and answers exactly as the full build does (same bytes in, same numbers out), and the
// fitting half of the API is absent rather than broken.
import { test } from "node:test";
import assert from "node:assert/strict";
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
    assert.deepEqual(loaded.probabilityAlive(s), fitted.probabilityAlive(f));
    assert.deepEqual(loaded.expectedPurchases(39, s), fitted.expectedPurchases(39, f));
    assert.deepEqual(loaded.probabilityNoPurchase(13, s), fitted.probabilityNoPurchase(13, f));
    assert.deepEqual(loaded.toBytes(), fitted.toBytes());
    const spend = full.GammaGamma.fit(calibration);
    const spendLoaded = serve.GammaGamma.fromBytes(spend.toBytes());
    assert.deepEqual(spendLoaded.expectedSpend(s), spend.expectedSpend(f));
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

for (const [algorithm, quantization] of [["als", "f32"], ["als", "f16"], ["als", "int8"], ["itemknn", "f32"], ["popular", "f32"], ["auto", "f32"]]) {
  test(`serve: a Recommender (${algorithm}, ${quantization}) saved by the full build recommends identically`, () => {
    const fitted = full.Recommender.fit(retail, { algorithm, factors: 16, iterations: 4, seed: 2 });
    const bytes = fitted.toBytes({ quantization });
    const reference = full.Recommender.fromBytes(bytes); // quantised factors: compare with the same bytes loaded in full
    const loaded = serve.Recommender.fromBytes(bytes);
    assert.equal(loaded.algorithm, reference.algorithm);
    for (const c of someCustomers.slice(0, 10)) {
      assert.deepEqual(loaded.recommend(c, { k: 10 }), reference.recommend(c, { k: 10 }));
      assert.deepEqual(loaded.explain(c, someItems[0]), reference.explain(c, someItems[0]));
    }
    assert.deepEqual(loaded.recommendMany(someCustomers, { k: 5 }), reference.recommendMany(someCustomers, { k: 5 }));
    assert.deepEqual(loaded.recommendForItems(someItems, { k: 8 }), reference.recommendForItems(someItems, { k: 8 }));
    assert.deepEqual(loaded.similarItems(someItems[1], { k: 8 }), reference.similarItems(someItems[1], { k: 8 }));
    assert.deepEqual(loaded.toBytes({ quantization }), reference.toBytes({ quantization }));
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
    assert.deepEqual(b.rank(context), a.rank(context));
  }
  assert.deepEqual(b.toBytes(), a.toBytes());
});

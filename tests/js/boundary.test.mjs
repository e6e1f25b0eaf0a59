// Boundary safety: every public call fed the bad inputs a real integration produces. Each must
// throw a JS Error with a useful message (never a wasm trap), and the module must keep working.
import { test } from "node:test";
import assert from "node:assert/strict";
import { r, DAY } from "./helpers.mjs";

const bad = [NaN, Infinity, -Infinity, -1, 1e308, "12", null, undefined, {}, [], true, Symbol.iterator, 10n];

function mustFailCleanly(fn, label) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, `${label}: threw a non-Error ${String(e)}`);
    assert.doesNotMatch(e.message, /unreachable|RuntimeError|recursive use|null pointer|already borrowed/i, `${label}: ${e.message}`);
    assert.ok(e.message.length > 8, `${label}: message too short: ${e.message}`);
    return e.message;
  }
  return null; // accepted: then its outputs are checked by the caller
}

const tx = r.Transactions.fromColumns({
  customer: ["a", "a", "b", "b", "c", "c", "d"],
  time: [0, 10 * DAY, 2 * DAY, 30 * DAY, 5 * DAY, 6 * DAY, 40 * DAY],
  amount: [10, 20, 5, 7, 3, 4, 9],
  item: ["x", "y", "x", "z", "y", "z", "x"],
});
const s = tx.summary();

test("Transactions and Summary constructors reject every bad value", () => {
  for (const v of bad) {
    mustFailCleanly(() => r.Transactions.fromColumns({ customer: ["a"], time: [v] }), `time ${String(v)}`);
    mustFailCleanly(() => r.Transactions.fromColumns({ customer: ["a"], time: [0], amount: [v] }), `amount ${String(v)}`);
    mustFailCleanly(() => r.Transactions.fromColumns({ customer: [v], time: [0] }), `customer ${String(v)}`);
    mustFailCleanly(() => r.Transactions.fromColumns(v), `columns ${String(v)}`);
    mustFailCleanly(() => r.Summary.fromColumns({ frequency: [v], recency: [0], T: [1] }), `frequency ${String(v)}`);
    mustFailCleanly(() => tx.summary({ observationEnd: v }), `observationEnd ${String(v)}`);
    mustFailCleanly(() => s.rfm({ bins: v }), `bins ${String(v)}`);
    mustFailCleanly(() => r.Transactions.fromCsv(v, { customer: "c", time: "t" }), `csv ${String(v)}`);
  }
  // Typed arrays with NaN, mismatched lengths, empty.
  assert.ok(mustFailCleanly(() => r.Transactions.fromColumns({ customer: ["a", "b"], time: new Float64Array([0, NaN]) }), "typed NaN"));
  assert.ok(mustFailCleanly(() => r.Transactions.fromColumns({ customer: new Float64Array([NaN]), time: [0] }), "typed id NaN"));
  assert.ok(mustFailCleanly(() => r.Transactions.fromColumns({ customer: ["a"], time: [0, 1] }), "mismatch"));
  assert.ok(mustFailCleanly(() => r.Summary.fromColumns({ frequency: [], recency: [], T: [] }), "empty summary"));
  assert.ok(mustFailCleanly(() => r.Transactions.fromCsv("", { customer: "c", time: "t" }), "empty csv"));
  assert.ok(mustFailCleanly(() => r.Transactions.fromCsv("c,t\n", { customer: "c", time: "t" }), "header only"));
});

test("models reject bad arguments and never return NaN silently", () => {
  const sample = r.Summary.fromColumns({ frequency: [0, 1, 3, 2, 0, 5], recency: [0, 4, 20, 9, 0, 30], T: [10, 12, 30, 25, 40, 33], monetary: [0, 10, 12, 8, 0, 30] });
  const m = r.BetaGeo.fit(sample);
  for (const v of bad) {
    const out = [];
    for (const call of [() => m.expectedPurchases(v, sample), () => m.probabilityNoPurchase(v, sample), () => m.probabilityAlive(v), () => r.BetaGeo.fit(v), () => r.BetaGeo.fit(sample, { penalizer: v })]) {
      const msg = mustFailCleanly(() => out.push(call()), String(v));
      if (msg === null) {
        const result = out.pop();
        if (ArrayBuffer.isView(result)) for (const x of result) assert.ok(Number.isFinite(x), `NaN from ${String(v)}`);
      }
    }
    mustFailCleanly(() => r.ChurnModel.fit(tx, { horizon: v }), `horizon ${String(v)}`);
    mustFailCleanly(() => r.BetaGeo.fromBytes(v), `bytes ${String(v)}`);
  }
  // Extremes that are valid inputs still give finite answers.
  const extreme = r.Summary.fromColumns({ frequency: [0, 500, 1, 3], recency: [0, 9999, 1e-9, 1e5], T: [1e6, 10000, 1e-9, 1e5] });
  for (const x of m.probabilityAlive(extreme)) assert.ok(x >= 0 && x <= 1);
  for (const x of m.expectedPurchases(1e4, extreme)) assert.ok(Number.isFinite(x) && x >= 0);
});

test("recommender and ranker reject bad arguments; unknown ids behave as documented", () => {
  const rec = r.Recommender.fit(tx, { algorithm: "itemknn", seed: 1 });
  for (const v of [NaN, -1, 0, 1.5, "3", {}, 1e9]) mustFailCleanly(() => rec.recommend("a", { k: v }), `k ${String(v)}`);
  for (const v of [null, undefined, {}, 42]) mustFailCleanly(() => rec.recommendMany(v), `customers ${String(v)}`);
  assert.ok(mustFailCleanly(() => rec.similarItems("nope"), "unknown item"));
  assert.equal(rec.recommend("nobody", { k: 2 }).length, 2);
  mustFailCleanly(() => r.Recommender.fit(tx, { algorithm: "magic" }), "algorithm");
  mustFailCleanly(() => r.Recommender.fit(tx, { factors: -3 }), "factors");
  const noItems = r.Transactions.fromColumns({ customer: ["a"], time: [0] });
  assert.ok(mustFailCleanly(() => r.Recommender.fit(noItems), "no item column"));
  const ranker = new r.OfferRanker({ offers: [{ id: "p", kind: "percent_off", value: 10 }], seed: 1 });
  for (const v of bad) {
    mustFailCleanly(() => ranker.rank({ risk: v, clv: 10 }), `risk ${String(v)}`);
    mustFailCleanly(() => ranker.rank({ risk: 0.5, clv: v }), `clv ${String(v)}`);
    mustFailCleanly(() => ranker.reward(v, 1), `eventId ${String(v)}`);
    mustFailCleanly(() => new r.OfferRanker(v), `options ${String(v)}`);
    mustFailCleanly(() => new r.OfferRanker({ offers: [{ id: "p", kind: "percent_off", value: v }] }), `value ${String(v)}`);
  }
  // Still working after all of that.
  const { ranking } = ranker.rank({ risk: 0.5, clv: 100 });
  assert.ok(Math.abs(ranking.reduce((a, x) => a + x.probability, 0) - 1) < 1e-9);
  assert.equal(r.Transactions.fromColumns({ customer: ["z"], time: [0] }).customerCount, 1);
});

test("10 million rows: imported or refused cleanly, and the module survives", () => {
  const n = 10_000_000;
  const time = new Float64Array(n);
  const customer = new Float64Array(n);
  for (let i = 0; i < n; i++) { time[i] = (i % 1000) * DAY; customer[i] = i % 100000; }
  let big;
  const msg = mustFailCleanly(() => { big = r.Transactions.fromColumns({ customer, time }); }, "10M rows");
  if (msg === null) {
    assert.equal(big.length, n);
    assert.equal(big.customerCount, 100000);
    const summary = big.summary({ unit: "week" });
    assert.equal(summary.customers.length, 100000);
    big.free();
  }
  assert.equal(r.Transactions.fromColumns({ customer: ["a"], time: [1] }).length, 1);
});

test("documented caps refuse oversized work with a clear error, and callers can raise them", () => {
  const cols = { customer: ["a", "b", "c"], time: [0, DAY, 2 * DAY] };
  assert.match(mustFailCleanly(() => r.Transactions.fromColumns(cols, { maxRows: 2 }), "maxRows"), /3 rows is more than the 2 allowed \(raise options\.maxRows\)/);
  assert.equal(r.Transactions.fromColumns(cols, { maxRows: 3 }).length, 3);
  assert.match(mustFailCleanly(() => r.Transactions.fromCsv("c,t\na,2020-01-01\nb,2020-01-02\n", { customer: "c", time: "t" }, { maxRows: 1 }), "csv maxRows"), /raise options\.maxRows/);
  const n = 20000;
  const wide = r.Transactions.fromColumns({
    customer: Array.from({ length: n }, (_, i) => `c${i % 3000}`),
    item: Array.from({ length: n }, (_, i) => `i${i}`),
    time: Array.from({ length: n }, (_, i) => i * 1000),
  });
  assert.match(mustFailCleanly(() => r.Recommender.fit(wide, { algorithm: "als", factors: 256, maxMemoryMb: 10 }), "maxMemoryMb"), /more than options\.maxMemoryMb \(10\)/);
  assert.ok(r.Recommender.fit(wide, { algorithm: "als", factors: 256, iterations: 1, maxMemoryMb: 100 }).itemCount > 0);
});

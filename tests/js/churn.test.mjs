// The churn and customer-value API through the package, against the published CDNOW results
// (Fader, Hardie & Lee 2005; Fader & Hardie 2013) and the models' invariants.
import { test } from "node:test";
import assert from "node:assert/strict";
import { r, cdnowColumns, throwsError } from "./helpers.mjs";

const { Transactions, Summary, BetaGeo, GammaGamma } = r;

const calibrationEnd = Date.UTC(1997, 8, 30);
const sample = Transactions.fromColumns(cdnowColumns("CDNOW_sample.txt")).summary({ calibrationEnd, unit: "week" });

function within(actual, expected, relative, label) {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${label}: ${actual} vs published ${expected}`);
}

test("BG/NBD reproduces the published CDNOW parameters and log-likelihood", () => {
  const m = BetaGeo.fit(sample);
  const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  for (const [k, v] of Object.entries(published)) within(m.params[k], v, 0.005, k);
  assert.ok(Math.abs(m.logLikelihood - -9582.4) <= 0.5, `${m.logLikelihood}`);
  const se = m.standardErrors;
  for (const k of Object.keys(published)) assert.ok(se[k] > 0 && se[k] < m.params[k], `se ${k}`);
});

test("Gamma-Gamma reproduces the published CDNOW parameters", () => {
  const gg = GammaGamma.fit(sample);
  const published = { p: 6.25, q: 3.74, gamma: 15.44 };
  for (const [k, v] of Object.entries(published)) within(gg.params[k], v, 0.005, k);
  const spend = gg.expectedSpend(sample);
  assert.equal(spend.length, sample.customers.length);
  assert.ok(spend.every((x) => Number.isFinite(x) && x > 0));
});

test("BG/NBD predictions obey the model's invariants", () => {
  const m = BetaGeo.fit(sample);
  const alive = m.probabilityAlive(sample);
  const e10 = m.expectedPurchases(10, sample), e20 = m.expectedPurchases(20, sample);
  const p10 = m.probabilityNoPurchase(10, sample), p20 = m.probabilityNoPurchase(20, sample);
  for (let i = 0; i < alive.length; i++) {
    assert.ok(alive[i] >= 0 && alive[i] <= 1);
    if (sample.frequency[i] === 0) assert.equal(alive[i], 1); // BG/NBD: no repeat purchase, no chance to drop out yet
    assert.ok(e10[i] >= 0 && e20[i] >= e10[i]);
    assert.ok(p10[i] >= 0 && p10[i] <= 1 && p20[i] <= p10[i] + 1e-12);
    // No purchase is at least as likely as having dropped out.
    assert.ok(p10[i] >= 1 - alive[i] - 1e-12);
  }
  // Aggregate check against what really happened in the 39 holdout weeks (1,882 repeat
  // transactions): the model tracks it within 15 % (it under-forecasts CDNOW's later weeks a little).
  const holdout = sample.holdoutFrequency.reduce((a, b) => a + b, 0);
  const forecast = m.expectedPurchases(sample.holdoutDuration, sample).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(forecast - holdout) / holdout < 0.15, `forecast ${forecast} vs holdout ${holdout}`);
});

test("model bytes round-trip and reject damage", () => {
  const m = BetaGeo.fit(sample);
  const bytes = m.toBytes();
  const back = BetaGeo.fromBytes(bytes);
  assert.deepEqual(back.params, m.params);
  assert.deepEqual([...back.probabilityAlive(sample)], [...m.probabilityAlive(sample)]);
  for (let i = 0; i < bytes.length; i++) {
    const altered = bytes.slice();
    altered[i] ^= 0x10;
    throwsError(assert, () => BetaGeo.fromBytes(altered), /invalid model bytes/);
    throwsError(assert, () => BetaGeo.fromBytes(bytes.slice(0, i)), /invalid model bytes/);
  }
  throwsError(assert, () => GammaGamma.fromBytes(bytes), /'BGNB' model/);
});

test("models reject what they cannot fit, clearly", () => {
  const noRepeat = Summary.fromColumns({ frequency: [0, 0, 0], recency: [0, 0, 0], T: [5, 6, 7] });
  throwsError(assert, () => BetaGeo.fit(noRepeat), /no repeat buyers/);
  throwsError(assert, () => GammaGamma.fit(noRepeat), /.+/);
  throwsError(assert, () => BetaGeo.fit(sample, { penalizer: -1 }), /penalizer/);
  const m = BetaGeo.fit(sample);
  throwsError(assert, () => m.expectedPurchases(NaN, sample), /t must be a finite number/);
  throwsError(assert, () => m.expectedPurchases("10", sample), /t must be a number/);
  // Still usable afterwards.
  assert.equal(m.probabilityAlive(sample).length, sample.customers.length);
});

test("Pareto/NBD reproduces the published CDNOW parameters and log-likelihood", () => {
  const m = r.ParetoNbd.fit(sample);
  const published = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
  for (const [k, v] of Object.entries(published)) within(m.params[k], v, 0.005, k);
  assert.ok(Math.abs(m.logLikelihood - -9595.0) <= 0.5, `${m.logLikelihood}`);
  const alive = m.probabilityAlive(sample);
  assert.ok(alive.every((p) => p >= 0 && p <= 1));
});

test("MBG/NBD fits and its P(alive) is below BG/NBD's for one-time buyers", () => {
  const mbg = r.ModifiedBetaGeo.fit(sample);
  const bg = BetaGeo.fit(sample);
  const a = mbg.probabilityAlive(sample), b = bg.probabilityAlive(sample);
  for (let i = 0; i < a.length; i++) if (sample.frequency[i] === 0) assert.ok(a[i] < b[i]);
  assert.ok(Number.isFinite(mbg.logLikelihood));
});

test("customerLifetimeValue: undiscounted CLV = expected purchases x expected spend", () => {
  const m = BetaGeo.fit(sample), gg = GammaGamma.fit(sample);
  const clv = r.customerLifetimeValue(m, gg, sample, { horizon: 52, discountRate: 0 });
  const purchases = m.expectedPurchases(52, sample), spend = gg.expectedSpend(sample);
  for (let i = 0; i < clv.length; i += 97) {
    assert.ok(Math.abs(clv[i] - purchases[i] * spend[i]) <= 1e-6 * Math.max(1, clv[i]), `${clv[i]} vs ${purchases[i] * spend[i]}`);
  }
  const discounted = r.customerLifetimeValue(r.ParetoNbd.fit(sample), gg, sample, { horizon: 52, discountRate: 0.01 });
  const undiscounted = r.customerLifetimeValue(r.ParetoNbd.fit(sample), gg, sample, { horizon: 52, discountRate: 0 });
  for (let i = 0; i < clv.length; i++) assert.ok(discounted[i] <= undiscounted[i] + 1e-9);
  throwsError(assert, () => r.customerLifetimeValue({}, gg, sample, { horizon: 52 }), /m must be a fitted/);
});

/** Rank-sum AUC with ties: P(score of a positive > score of a negative). */
function auc(score, label) {
  const idx = [...score.keys()].sort((a, b) => score[a] - score[b]);
  const ranks = new Float64Array(score.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && score[idx[j + 1]] === score[idx[i]]) j++;
    for (let k = i; k <= j; k++) ranks[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const positives = label.filter(Boolean).length, negatives = label.length - positives;
  const sum = label.reduce((acc, y, i) => acc + (y ? ranks[i] : 0), 0);
  return (sum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function ece(p, label, bins = 10) {
  const count = new Array(bins).fill(0), sumP = new Array(bins).fill(0), sumY = new Array(bins).fill(0);
  p.forEach((x, i) => {
    const b = Math.min(bins - 1, Math.floor(x * bins));
    count[b]++; sumP[b] += x; sumY[b] += label[i] ? 1 : 0;
  });
  return count.reduce((acc, c, b) => acc + (c ? (c / p.length) * Math.abs(sumP[b] / c - sumY[b] / c) : 0), 0);
}

test("ChurnModel on the full CDNOW cohort: AUC >= 0.77 and ECE <= 0.03 over a 273-day horizon", () => {
  const all = cdnowColumns("CDNOW_master.txt");
  const end = Date.UTC(1997, 8, 30), horizonEnd = Date.UTC(1998, 5, 30);
  const keep = all.time.map((t) => t <= end);
  const pick = (col) => col.filter((_, i) => keep[i]);
  const calibration = r.Transactions.fromColumns({ customer: pick(all.customer), time: pick(all.time), amount: pick(all.amount) });
  const churn = r.ChurnModel.fit(calibration, { horizon: 273, observationEnd: end, seed: 1 });
  const scores = churn.score(calibration);
  assert.equal(scores.customers.length, 23570);
  // Labels from the horizon only: no purchase in (end, end + 273 days].
  const boughtLater = new Set(all.customer.filter((_, i) => all.time[i] > end && all.time[i] <= horizonEnd));
  const label = scores.customers.map((c) => !boughtLater.has(c));
  const a = auc([...scores.risk], label), e = ece([...scores.risk], label);
  assert.ok(a >= 0.77, `AUC ${a}`);
  assert.ok(e <= 0.03, `ECE ${e}`);
  for (const k of ["risk", "probabilityAlive", "expectedPurchases", "clv"]) assert.ok(scores[k].every(Number.isFinite), k);
  // Scoring a summary gives the same risks as scoring the transactions.
  const viaSummary = churn.score(calibration.summary({ observationEnd: end, unit: "week" }));
  assert.deepEqual([...viaSummary.risk], [...scores.risk]);
  // Same data and seed: bit-identical model bytes.
  const again = r.ChurnModel.fit(calibration, { horizon: 273, observationEnd: end, seed: 1 });
  assert.deepEqual([...again.toBytes()], [...churn.toBytes()]);
  // Round trip.
  const back = r.ChurnModel.fromBytes(churn.toBytes());
  assert.deepEqual([...back.score(calibration).risk], [...scores.risk]);
});

/** 20 customers, customer i buying on day i and then every week to day 364: nobody stops. */
function alwaysBuyingShop() {
  const customer = [], time = [], amount = [];
  for (let i = 0; i < 20; i++) {
    for (let day = i; day <= 364; day += 7) {
      customer.push(`c${i}`);
      time.push(Date.UTC(2020, 0, 1) + day * 86_400_000);
      amount.push(20 + (i % 5));
    }
  }
  return Transactions.fromColumns({ customer, time, amount });
}

test("ChurnModel on a tiny always-buying shop falls back with warnings instead of throwing", () => {
  const tx = alwaysBuyingShop();
  const churn = r.ChurnModel.fit(tx);
  assert.ok(Array.isArray(churn.warnings));
  assert.match(churn.warnings[0], /^BG\/NBD did not converge on 20 customers/);
  assert.ok(churn.warnings.some((w) => /refitted/.test(w)), churn.warnings.join("\n"));
  const scores = churn.score(tx);
  assert.ok(scores.risk.every((v) => Number.isFinite(v) && v >= 0 && v <= 1));
  assert.deepEqual(r.ChurnModel.fromBytes(churn.toBytes()).warnings, churn.warnings);
});

test("ChurnModel penalizer: accepted, passed to the BG/NBD fit, and checked", () => {
  const tx = Transactions.fromColumns(cdnowColumns("CDNOW_sample.txt"));
  const plain = r.ChurnModel.fit(tx, { seed: 1 });
  assert.deepEqual(plain.warnings, []);
  const penalised = r.ChurnModel.fit(tx, { seed: 1, penalizer: 0.1 });
  // The penalised model differs from the plain one, and is what BetaGeo.fit gives with the same penalizer.
  assert.notDeepEqual([...penalised.score(tx).probabilityAlive], [...plain.score(tx).probabilityAlive]);
  const s = tx.summary({ unit: "week" });
  const direct = BetaGeo.fit(s, { penalizer: 0.1 });
  assert.deepEqual([...penalised.score(s).probabilityAlive], [...direct.probabilityAlive(s)]);
  const norm = (m) => Object.values(m.params).reduce((a, v) => a + v * v, 0);
  assert.ok(norm(direct) < norm(BetaGeo.fit(s)));
  throwsError(assert, () => r.ChurnModel.fit(tx, { penalizer: -1 }), /penalizer/);
  throwsError(assert, () => r.ChurnModel.fit(tx, { penalizer: NaN }), /penalizer must be a finite number/);
  throwsError(assert, () => r.ChurnModel.fit(tx, { penalizer: "x" }), /penalizer must be a number, got string/);
  throwsError(assert, () => BetaGeo.fit(s, { penalizer: -1 }), /penalizer must be >= 0/);
});

test("diagnostics: CDNOW fits converge without warnings; kept through the bytes; a tiny shop is warned", () => {
  for (const [name, Model, keys] of [["BetaGeo", BetaGeo, ["r", "alpha", "a", "b"]], ["ModifiedBetaGeo", r.ModifiedBetaGeo, ["r", "alpha", "a", "b"]],
    ["ParetoNbd", r.ParetoNbd, ["r", "alpha", "s", "beta"]], ["GammaGamma", GammaGamma, ["p", "q", "gamma"]]]) {
    const m = Model.fit(sample);
    const d = m.diagnostics;
    assert.equal(d.converged, true, name);
    assert.ok(Number.isInteger(d.iterations) && d.iterations >= 1, name);
    assert.ok(d.gradientNorm >= 0 && d.gradientNorm < 1e-6, `${name} ${d.gradientNorm}`);
    assert.deepEqual(d.warnings, [], name);
    assert.deepEqual(Object.keys(d.standardErrors), keys, name);
    for (const k of keys) assert.equal(d.standardErrors[k], m.standardErrors[k], `${name} ${k}`);
    assert.deepEqual(Model.fromBytes(m.toBytes()).diagnostics, d, name);
  }
  // A tiny shop: few repeat buyers, said in plain words.
  const tiny = Summary.fromColumns({ frequency: [0, 1, 2, 0, 3, 1, 0, 0], recency: [0, 4, 9, 0, 20, 2, 0, 0], T: [30, 30, 31, 25, 33, 30, 28, 22] });
  const w = BetaGeo.fit(tiny, { penalizer: 0.01 }).diagnostics.warnings;
  assert.ok(w.includes("only 4 repeat buyers (< 30): rates poorly determined"), w.join("\n"));
});

test("churn.score(...).reason: one per customer; one-time buyers and long silences are named", () => {
  const tx = Transactions.fromColumns(cdnowColumns("CDNOW_sample.txt"));
  const churn = r.ChurnModel.fit(tx, { seed: 1 });
  const scores = churn.score(tx);
  assert.equal(scores.reason.length, scores.customers.length);
  const days = tx.summary({ unit: "day" });
  const at = new Map(days.customers.map((c, i) => [c, i]));
  let once = 0, quiet = 0;
  scores.customers.forEach((c, i) => {
    const j = at.get(c), x = days.frequency[j], rec = days.recency[j], T = days.T[j];
    if (x === 0) {
      once++;
      assert.equal(scores.reason[i], `one purchase, ${Math.round(T)} days ago`, c);
    } else if (T - rec >= 5 * (rec / x)) {
      quiet++;
      assert.ok(scores.reason[i].startsWith(`no purchase for ${Math.round(T - rec)} days; usually every `), `${c}: ${scores.reason[i]}`);
    }
  });
  assert.ok(once > 100 && quiet > 20, `${once} ${quiet}`);
  assert.deepEqual(churn.scoreSummary(tx.summary({ unit: "week" })).reason, scores.reason);
});

test("reliability: bins, counts and ECE match an independent computation; bad input is a clear error", () => {
  // Deterministic pseudo-random risks and outcomes (a small LCG).
  let state = 7;
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const risk = Array.from({ length: 5000 }, () => next());
  risk.push(0, 1, 0.5);
  const outcome = risk.map((p) => next() < Math.min(1, p * 1.2));
  for (const bins of [10, 7]) {
    const got = bins === 10 ? r.reliability(risk, outcome) : r.reliability(Float64Array.from(risk), Uint8Array.from(outcome, Number), { bins });
    const count = new Array(bins).fill(0), sumP = new Array(bins).fill(0), sumY = new Array(bins).fill(0);
    risk.forEach((p, i) => {
      const b = p === 1 ? bins - 1 : Math.floor(p * bins);
      count[b]++; sumP[b] += p; sumY[b] += outcome[i] ? 1 : 0;
    });
    assert.deepEqual([...got.count], count);
    let e = 0;
    for (let b = 0; b < bins; b++) {
      assert.ok(Math.abs(got.predicted[b] - sumP[b] / count[b]) < 1e-12 && Math.abs(got.observed[b] - sumY[b] / count[b]) < 1e-12, `bin ${b}`);
      e += (count[b] / risk.length) * Math.abs(sumP[b] / count[b] - sumY[b] / count[b]);
    }
    assert.ok(Math.abs(got.ece - e) < 1e-12, `${got.ece} vs ${e}`);
    assert.ok(got.ece > 0.02, `miscalibrated on purpose: ${got.ece}`);
  }
  const empty = r.reliability([0.05], [true], { bins: 2 });
  assert.ok(Number.isNaN(empty.predicted[1]) && empty.count[1] === 0);
  throwsError(assert, () => r.reliability([0.1, 0.2], [true]), /risk has 2 values but outcome has 1/);
  throwsError(assert, () => r.reliability([0.1, 1.2], [true, false]), /risk\[1\] must be a number in \[0, 1\], got 1\.2/);
  throwsError(assert, () => r.reliability([0.1], [2]), /outcome\[0\] must be true or false/);
  throwsError(assert, () => r.reliability([0.1], Uint8Array.of(3)), /outcome\[0\] must be 0 or 1, got 3/);
  throwsError(assert, () => r.reliability([0.1], [true], { bins: 1 }), /bins must be a whole number between 2 and 100, got 1/);
  throwsError(assert, () => r.reliability([0.1], [true], { bins: 101 }), /bins/);
});

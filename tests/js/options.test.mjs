// Unknown option keys are errors, in both builds (issue 15, item 4): for every options object the
// installed package's .d.ts files declare (read with the TypeScript compiler API, independently of
// the module), an unknown key throws an Error naming the key, the call and the accepted keys —
// which must be exactly the declared ones — with a "did you mean" for a near miss; and every
// declared key is really read (a wrongly typed value is rejected by name, not as unknown).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { installedPackageDir, importInstalled } from "../../scripts/installed-package.mjs";
import { declaredOptions } from "./declared-options.mjs";
import { r as full, DAY, cdnowColumns } from "./helpers.mjs";

const serve = await importInstalled("/serve");
const packageDir = installedPackageDir();
const { exports } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
const declared = (subpath) => declaredOptions(readFileSync(join(packageDir, exports[subpath].types), "utf8"));

// Fitted once in the full build; each build loads them from bytes.
const cdnow = full.Transactions.fromColumns(cdnowColumns("CDNOW_sample.txt"));
const cdnowSummary = cdnow.summary({ unit: "week" });
const fitted = { bg: full.BetaGeo.fit(cdnowSummary), gg: full.GammaGamma.fit(cdnowSummary) };
// A small shop with items: customer c buys items c%7, (c+1)%7, (c+3)%7 on three days.
const shop = { customer: [], time: [], amount: [], item: [] };
for (let c = 0; c < 60; c++) {
  for (const [d, i] of [[0, c % 7], [5 + (c % 11), (c + 1) % 7], [40 + (c % 13), (c + 3) % 7]]) {
    shop.customer.push(`c${c}`); shop.time.push(Date.UTC(2024, 0, 1) + d * DAY); shop.amount.push(10 + (c % 5)); shop.item.push(`i${i}`);
  }
}
const shopTx = full.Transactions.fromColumns(shop);
fitted.rec = full.Recommender.fit(shopTx, { algorithm: "itemknn" });
const offer = { id: "ship", kind: "free_shipping", cost: 4, eligible: { minRisk: 0.1 } };

/**
 * How to call each declared call in module `m`: `base` a valid value for the options parameter
 * (null: none needed) and `call(value)` the call with `value` in that parameter's place.
 */
function invokers(m) {
  const tx = m.Transactions.fromColumns(shop);
  const s = m.Summary.fromColumns({ frequency: [1, 2], recency: [3, 5], T: [10, 12], monetary: [5, 6] });
  const bg = m.BetaGeo.fromBytes(fitted.bg.toBytes()), gg = m.GammaGamma.fromBytes(fitted.gg.toBytes());
  const rec = m.Recommender.fromBytes(fitted.rec.toBytes());
  const rankerBytes = new full.OfferRanker({ offers: [offer] }).toBytes();
  const columns = { customer: ["a", "b"], time: [0, DAY] };
  const csv = "customer,time,amount\na,2024-01-01,3\n", mapping = { customer: "customer", time: "time" };
  return {
    "customerLifetimeValue options": { base: { horizon: 52 }, call: (o) => m.customerLifetimeValue(bg, gg, s, o) },
    "reliability options": { call: (o) => m.reliability([0.5], [true], o) },
    "evaluateRecommender options": { base: { splitTime: Date.UTC(2024, 0, 20) }, call: (o) => m.evaluateRecommender(tx, o) },
    "Transactions.fromColumns columns": { base: columns, call: (o) => m.Transactions.fromColumns(o) },
    "Transactions.fromColumns options": { call: (o) => m.Transactions.fromColumns(columns, o) },
    "Transactions.fromCsv mapping": { base: mapping, call: (o) => m.Transactions.fromCsv(csv, o) },
    "Transactions.fromCsv options": { call: (o) => m.Transactions.fromCsv(csv, mapping, o) },
    "Transactions.summary options": { call: (o) => tx.summary(o) },
    "Summary.fromColumns columns": { base: { frequency: [1], recency: [2], T: [3] }, call: (o) => m.Summary.fromColumns(o) },
    "Summary.rfm options": { call: (o) => s.rfm(o) },
    ...Object.fromEntries(["BetaGeo", "ModifiedBetaGeo", "ParetoNbd", "GammaGamma"].map((k) => [`${k}.fit options`, { call: (o) => m[k].fit(s, o) }])),
    "ChurnModel.fit options": { call: (o) => m.ChurnModel.fit(tx, o) },
    "Recommender.fit options": { call: (o) => m.Recommender.fit(tx, o) },
    "Recommender.fromFactors options": { base: { items: ["i1", "i2"], itemFactors: [1, 0, 0, 1] }, call: (o) => m.Recommender.fromFactors(o) },
    "Recommender.recommend options": { call: (o) => rec.recommend("c1", o) },
    "Recommender.recommendMany options": { call: (o) => rec.recommendMany(["c1", "c2"], o) },
    "Recommender.recommendForItems options": { call: (o) => rec.recommendForItems(["i1"], o) },
    "Recommender.similarItems options": { call: (o) => rec.similarItems("i1", o) },
    "Recommender.toBytes options": { call: (o) => rec.toBytes(o) },
    "new OfferRanker options": { base: { offers: [offer] }, call: (o) => new m.OfferRanker(o) },
    "OfferRanker.fromBytes options": { call: (o) => m.OfferRanker.fromBytes(rankerBytes, o) },
    "new OfferSimulator options": { call: (o) => new m.OfferSimulator(o) },
  };
}

/** `base` with the object at `path` (`""`, `".offers[0]"`, `".offers[0].eligible"`) given `extra` keys. */
function withKeys(base, path, extra) {
  if (path === "") return { ...base, ...extra };
  const [, key, index, rest] = /^\.(\w+)(?:\[(\d+)\])?(.*)$/.exec(path);
  const inner = index === undefined ? base[key] : base[key][index];
  const replaced = withKeys(inner ?? {}, rest, extra);
  if (index === undefined) return { ...base, [key]: replaced };
  const list = [...base[key]];
  list[index] = replaced;
  return { ...base, [key]: list };
}

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, `expected an Error, got ${e}`);
    assert.doesNotMatch(e.message, /unreachable|RuntimeError/);
    return e.message;
  }
  assert.fail("expected an Error, nothing was thrown");
}

/** A near miss of each kind for `key`: its first letter's case flipped; a letter dropped. */
function nearMisses(key) {
  const flipped = key[0] === key[0].toLowerCase() ? key[0].toUpperCase() : key[0].toLowerCase();
  const misses = [flipped + key.slice(1)];
  if (key.length >= 5) misses.push(key.slice(0, 2) + key.slice(3));
  return misses;
}

/** The calls with options that only the full build has (fitting, CSV import, the simulator). */
const FIT_ONLY = [
  "evaluateRecommender options", "Transactions.fromCsv mapping", "Transactions.fromCsv options",
  ...["BetaGeo", "ModifiedBetaGeo", "ParetoNbd", "GammaGamma", "ChurnModel", "Recommender"].map((k) => `${k}.fit options`),
  "new OfferSimulator options", "reliability options", "Recommender.fromFactors options",
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

for (const [subpath, label, m] of [[".", "regulars", full], ["./serve", "regulars/serve", serve]]) {
  const options = declared(subpath);
  const calls = invokers(m);
  const contexts = options.map((o) => `${o.call} ${o.parameter}`);

  test(`${label}: every options object its .d.ts declares has a check here, and the list is complete`, () => {
    assert.ok(options.length >= (subpath === "." ? 20 : 10), `only ${options.length} options objects read from the .d.ts`);
    for (const c of new Set(contexts)) assert.ok(c in calls, `no invoker for ${c} (add one to invokers())`);
    // The full build declares every call here; the serving build all but the fitting ones.
    const missing = Object.keys(calls).filter((c) => !contexts.includes(c)).sort();
    assert.deepEqual(missing, subpath === "." ? [] : [...FIT_ONLY].sort());
  });

  for (const { call, parameter, path, keys } of options) {
    const context = `${call} ${parameter}${path}`;
    const { base = {}, call: invoke } = calls[`${call} ${parameter}`] ?? {};
    if (!invoke) continue;

    test(`${label} ${context}: an unknown key is an Error naming it, the call and exactly the declared keys`, () => {
      const message = thrown(() => invoke(withKeys(base, path, { bogusOption: 1 })));
      assert.ok(message.startsWith(`${context}: unknown option 'bogusOption'; accepted: `), message);
      const accepted = message.slice(message.indexOf("accepted: ") + "accepted: ".length).split(", ");
      assert.deepEqual([...accepted].sort(), [...keys].sort(), `${context}: the module accepts [${accepted}], the .d.ts declares [${keys}]`);
    });

    test(`${label} ${context}: a near miss gets "did you mean"`, () => {
      for (const key of keys) {
        for (const miss of nearMisses(key)) {
          const message = thrown(() => invoke(withKeys(base, path, { [miss]: 1 })));
          assert.match(message, new RegExp(`^${escape(context)}: unknown option '${escape(miss)}' \\(did you mean '${escape(key)}'\\?\\); accepted: `));
        }
      }
    });

    test(`${label} ${context}: every declared key is accepted and read (a wrongly typed value is rejected by name)`, () => {
      for (const key of keys) {
        const message = thrown(() => invoke(withKeys(base, path, { [key]: Symbol("wrong type") })));
        assert.doesNotMatch(message, /unknown option/, `${context}.${key}`);
        assert.match(message, new RegExp(`\\b${escape(key)} must\\b`), `${context}.${key}: ${message}`);
      }
    });
  }
}

test("the valid options of the calls still work, with every key given", () => {
  const tx = full.Transactions.fromColumns(shop, { maxRows: 1000 });
  const s = tx.summary({ observationEnd: Date.UTC(2024, 2, 1), calibrationEnd: Date.UTC(2024, 1, 1), unit: "week" });
  assert.equal(s.rfm({ bins: 3 }).r.length, s.length);
  const rec = full.Recommender.fit(tx, { algorithm: "itemknn", factors: 4, iterations: 2, regularization: 0.1, alpha: 2, neighbours: 5, seed: 1, maxMemoryMb: 64, onProgress: () => {} });
  assert.equal(rec.recommend("c1", { k: 2, excludePurchased: false, exclude: ["i0"], candidates: ["i1", "i2", "i3"] }).length, 2);
  assert.equal(rec.recommendMany(["c1"], { k: 2, onProgress: () => {} }).items[0].length, 2);
  assert.ok(rec.toBytes({ quantization: "f16" }).length > 0);
  const ranker = new full.OfferRanker({ offers: [{ ...offer, value: 1, eligible: { segments: ["Lost"], minRisk: 0, maxRisk: 1, minClv: 0 } }], margin: 20, marginRate: 0.3, exploration: 0.1, seed: 1, capacity: 10 });
  assert.equal(typeof ranker.rank({ risk: 0.5, clv: 10 }).eventId, "string");
  assert.ok(new full.OfferSimulator({ setup: "alternative", seed: 2 }));
});

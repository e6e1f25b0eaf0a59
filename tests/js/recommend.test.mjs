// The recommender through the package, on Online Retail's time split (issue 3's acceptance), with
// the metrics computed here, independently of the package's own evaluation helper.
import { test } from "node:test";
import assert from "node:assert/strict";
import { r, onlineRetailCsv, onlineRetailMapping, onlineRetailSplit, throwsError } from "./helpers.mjs";

const { Transactions, Recommender } = r;
const splitTime = Date.UTC(2011, 8, 1);
const all = Transactions.fromCsv(onlineRetailCsv(), { ...onlineRetailMapping, invoice: "InvoiceNo" });

const { train, test: testSet, history } = onlineRetailSplit(splitTime);
const rec = Recommender.fit(train, { seed: 1 });

test("Online Retail: default recommend reaches recall@10 >= 0.125 (implicit's best: 0.115)", () => {
  let hits = 0, cappedDivisor = 0, recall = 0, precision = 0, ndcg = 0;
  const batch = rec.recommendMany(testSet.map(([c]) => c), { k: 10 });
  testSet.forEach(([customer, relevant], n) => {
    const items = batch.items[n];
    // Purchased items are never recommended (excludePurchased is the default).
    for (const item of items) assert.ok(!history.get(customer).has(item), `${customer} already bought ${item}`);
    assert.deepEqual(items, rec.recommend(customer, { k: 10 }).map((x) => x.item));
    const h = items.filter((i) => relevant.has(i)).length;
    hits += h;
    cappedDivisor += Math.min(10, relevant.size);
    recall += h / relevant.size;
    precision += h / 10;
    let dcg = 0, ideal = 0;
    items.forEach((i, rank) => { if (relevant.has(i)) dcg += 1 / Math.log2(rank + 2); });
    for (let rank = 0; rank < Math.min(10, relevant.size); rank++) ideal += 1 / Math.log2(rank + 2);
    ndcg += dcg / ideal;
  });
  const recallCapped = hits / cappedDivisor;
  console.log(`recommend: ${rec.algorithm}; recall@10 ${recallCapped.toFixed(4)} (hits / min(10, |T|), implicit's), ` +
    `mean recall@10 ${(recall / testSet.length).toFixed(4)}, precision@10 ${(precision / testSet.length).toFixed(4)}, ndcg@10 ${(ndcg / testSet.length).toFixed(4)}, ${testSet.length} customers`);
  assert.ok(recallCapped >= 0.125, `recall@10 ${recallCapped}`);
  // The package's own evaluation helper agrees with this independent computation.
  const own = r.evaluateRecommender(all, { splitTime, k: 10, seed: 1 });
  assert.equal(own.customers, testSet.length);
  assert.ok(Math.abs(own.recallCapped - recallCapped) < 0.01, `${own.recallCapped} vs ${recallCapped}`);
});

test("filters, cold start, basket, similar items, explanations", () => {
  const [customer] = testSet[0];
  const top = rec.recommend(customer, { k: 20 });
  const exclude = top.slice(0, 5).map((x) => x.item);
  const filtered = rec.recommend(customer, { k: 20, exclude });
  assert.ok(filtered.every((x) => !exclude.includes(x.item)));
  const candidates = top.slice(3, 8).map((x) => x.item);
  assert.ok(rec.recommend(customer, { k: 3, candidates }).every((x) => candidates.includes(x.item)));
  // Unknown customer: popular items, not an error.
  const cold = rec.recommend("no-such-customer", { k: 5 });
  assert.equal(cold.length, 5);
  const basket = rec.recommendForItems(exclude.slice(0, 2), { k: 5 });
  assert.equal(basket.length, 5);
  const similar = rec.similarItems(top[0].item, { k: 5 });
  assert.ok(similar.length > 0 && similar.every((x) => x.item !== top[0].item));
  throwsError(assert, () => rec.similarItems("no-such-item"), /unknown item 'no-such-item'/);
  const why = rec.explain(customer, top[0].item);
  assert.ok(Array.isArray(why));
  for (const x of why) assert.ok(Number.isFinite(x.contribution));
});

test("model bytes: compact, round-trip, rejected when damaged", () => {
  const bytes = rec.toBytes(); // default encodings: f16 item factors and similarities, int8 customer factors
  assert.ok(bytes.length <= 2 * 1024 * 1024, `${bytes.length} bytes`);
  const [customer] = testSet[1];
  const near = Recommender.fromBytes(bytes).recommend(customer).map((x) => x.item);
  const shared = rec.recommend(customer).filter((x) => near.includes(x.item)).length;
  assert.ok(shared >= 8, `${shared} of 10 recommendations kept by the default bytes`);
  const exact = rec.toBytes({ quantization: "f32" });
  assert.ok(exact.length > bytes.length);
  const back = Recommender.fromBytes(exact);
  assert.deepEqual(back.recommend(customer), rec.recommend(customer));
  throwsError(assert, () => Recommender.fromBytes(bytes.slice(0, bytes.length - 1)), /invalid model bytes/);
  const altered = bytes.slice();
  altered[Math.floor(bytes.length / 2)] ^= 1;
  throwsError(assert, () => Recommender.fromBytes(altered), /invalid model bytes/);
  // Same seed, same bytes.
  assert.deepEqual([...Recommender.fit(train, { seed: 1, algorithm: "als", iterations: 3 }).toBytes()],
    [...Recommender.fit(train, { seed: 1, algorithm: "als", iterations: 3 }).toBytes()]);
});

test("ALS recommendMany (customers scored in blocks) equals recommend one by one, bit for bit", () => {
  const customers = testSet.map(([c]) => c).slice(0, 400);
  customers.splice(6, 0, "nobody");
  for (const factors of [32, 15]) {
    const als = Recommender.fit(train, { algorithm: "als", factors, iterations: 2, seed: 1 });
    const batch = als.recommendMany(customers, { k: 10 });
    customers.forEach((customer, n) => {
      const one = als.recommend(customer, { k: 10 });
      assert.deepEqual(batch.items[n], one.map((x) => x.item), customer);
      assert.deepEqual([...batch.scores[n]], one.map((x) => x.score), customer);
    });
  }
});

// Type tests, compiled by matrix.test.mjs against the installed package in every tsconfig of its
// matrix (--strict, exactOptionalPropertyTypes): the calls in `tour` must type-check, and each
// line after a `@ts-expect-error` must be an error (tsc reports an unused directive otherwise).
// Options objects are closed types, so a misspelt key is an error, as it is at run time.
import init, {
  Transactions, Summary, BetaGeo, ModifiedBetaGeo, ParetoNbd, GammaGamma, customerLifetimeValue,
  ChurnModel, Recommender, evaluateRecommender, OfferRanker, OfferSimulator, wasmMemoryBytes,
  type ChurnScores, type Ranking, type Segment, type ScoredItem, type PurchaseModel, type Bytes,
} from "regulars";

const DAY = 86_400_000;

export async function tour(csv: string, bytes: Uint8Array): Promise<number> {
  await init();
  // Data
  const tx = Transactions.fromCsv(csv, { customer: "CustomerID", time: "InvoiceDate", quantity: "Quantity", price: "UnitPrice", item: "StockCode", invoice: "InvoiceNo" });
  const tx2 = Transactions.fromCsv(bytes, { customer: "0", time: "1", amount: "2" }, { header: false, delimiter: ";", keepZeroAmounts: true, maxRows: 1e6 });
  const tx3 = Transactions.fromColumns({ customer: [1, "b"], time: new Float64Array([0, DAY]), amount: [5, 7.5], item: ["x", "y"], quantity: new Int32Array([1, 2]) }, { maxRows: 10 });
  const dropped: number = Object.values(tx.report.dropped).reduce((a, b) => a + b, 0);
  const n: number = tx.length + tx.customerCount + tx.itemCount + dropped + tx2.length + tx3.items.length;
  const s = tx.summary({ unit: "week", observationEnd: Date.UTC(2011, 11, 9), calibrationEnd: Date.UTC(2011, 8, 1) });
  const holdout: Float64Array | undefined = s.holdoutFrequency;
  const seg: Segment[] = s.rfm({ bins: 5 }).segment;
  const crr: number | null = tx.retentionRates(30)[0]?.retentionRate ?? null;
  const share: number = tx.shopMeasures().top20RevenueShare;
  const s2 = Summary.fromColumns({ frequency: [1, 0], recency: new Float64Array([3, 0]), T: [10, 5], unit: "day" });
  // Churn and value
  const bg = BetaGeo.fit(s, { penalizer: 0.001 });
  const r: number = bg.params.r + bg.params.alpha + bg.params.a + bg.params.b + n + seg.length + share;
  const models: PurchaseModel[] = [bg, ModifiedBetaGeo.fit(s), ParetoNbd.fit(s)];
  const pn = ParetoNbd.fromBytes(models[2]!.toBytes());
  const beta: number = pn.params.beta + r + (bg.standardErrors?.alpha ?? 0);
  const alive: Float64Array = bg.probabilityAlive(s);
  const next: Float64Array = bg.expectedPurchases(4, s);
  const none: Float64Array = bg.probabilityNoPurchase(4, s);
  const gg = GammaGamma.fit(s);
  const spend: Float64Array = gg.expectedSpend(s);
  const clv: Float64Array = customerLifetimeValue(bg, gg, s, { horizon: 52, discountRate: 0.002 });
  const churn = ChurnModel.fit(tx, { horizon: 90, seed: 1, observationEnd: Date.UTC(2011, 11, 9), clvHorizon: 365, annualDiscountRate: 0.1 });
  const scores: ChurnScores = churn.score(s2);
  const scores2: ChurnScores = churn.score(tx);
  const method: "supervised" | "btyd" = churn.method;
  const again = ChurnModel.fromBytes(churn.toBytes());
  // Recommendations
  const rec = Recommender.fit(tx, { algorithm: "als", factors: 32, iterations: 10, regularization: 0.1, alpha: 1, seed: 1, maxMemoryMb: 256, onProgress: (f: number) => void f });
  const top: ScoredItem[] = rec.recommend("17850", { k: 5, exclude: ["POST"], candidates: ["85123A"], excludePurchased: false });
  const why = rec.explain("17850", top[0]!.item);
  const batch = rec.recommendMany(["17850"], { k: 3, onProgress: () => {} });
  const firstScores: Float32Array = batch.scores[0]!;
  const basket = rec.recommendForItems(["22423"], { k: 5 });
  const similar = rec.similarItems("22423", { k: 5 });
  const small = Recommender.fromBytes(rec.toBytes({ quantization: "int8" }).buffer as ArrayBuffer);
  const quality = evaluateRecommender(tx, { splitTime: Date.UTC(2011, 8, 1), k: 10, algorithm: "popular" });
  // Offers
  const ranker = new OfferRanker({ offers: [{ id: "pct10", kind: "percent_off", value: 10, eligible: { minRisk: 0.3, segments: ["At Risk"] } }], margin: 12, exploration: 0.1, capacity: 100, seed: 3 });
  const ranking: Ranking = ranker.rank({ risk: scores.risk[0]!, clv: clv[0]!, segment: "At Risk", orderValue: 40, customer: "17850", features: { visits: 3 } });
  ranker.reward(ranking.eventId, 12.5);
  const value = ranker.evaluate([{ context: { risk: 0.5, clv: 100 }, offer: "none", probability: 0.9, reward: 0 }], OfferRanker.fromBytes(ranker.toBytes()));
  const sim = new OfferSimulator({ setup: "alternative", seed: 2 });
  const report = sim.run(new OfferRanker(sim.rankerOptions(4)), 1000);
  const memory: number = wasmMemoryBytes();
  const raw: Bytes = new ArrayBuffer(8);
  void [beta, alive, next, none, spend, again, why, basket, similar, small, quality, value.dr, report.capturedShare, holdout, crr, method, firstScores, scores2, raw];
  tx.free();
  return memory + ranker.rewardsSeen;
}

export function misuse(csv: string, tx: Transactions, s: Summary, bg: BetaGeo, gg: GammaGamma, churn: ChurnModel, rec: Recommender, ranker: OfferRanker, scores: ChurnScores): void {
  // --- data
  // @ts-expect-error time is required
  Transactions.fromColumns({ customer: ["a"] });
  // @ts-expect-error times are epoch milliseconds, not date strings
  Transactions.fromColumns({ customer: ["a"], time: ["2011-12-09"] });
  // @ts-expect-error misspelt column key (amount)
  Transactions.fromColumns({ customer: ["a"], time: [0], amout: [1] });
  // @ts-expect-error the mapping is required
  Transactions.fromCsv(csv);
  // @ts-expect-error the mapping needs a time column
  Transactions.fromCsv(csv, { customer: "c" });
  // @ts-expect-error misspelt option (delimiter)
  Transactions.fromCsv(csv, { customer: "c", time: "t" }, { delimeter: ";" });
  // @ts-expect-error header is a boolean
  Transactions.fromCsv(csv, { customer: "c", time: "t" }, { header: "yes" });
  // @ts-expect-error the unit is "day" or "week"
  tx.summary({ unit: "month" });
  // @ts-expect-error observationEnd is epoch ms, not a Date
  tx.summary({ observationEnd: new Date() });
  // @ts-expect-error a period length is required
  tx.retentionRates();
  // @ts-expect-error frequency, recency and T are required
  Summary.fromColumns({ frequency: [1] });
  // --- churn and value
  // @ts-expect-error models are fitted on a Summary, not on Transactions
  BetaGeo.fit(tx);
  // @ts-expect-error misspelt option (penalizer)
  BetaGeo.fit(s, { penaliser: 0.1 });
  // @ts-expect-error the horizon t is required
  bg.expectedPurchases(s);
  // @ts-expect-error the options (horizon, discountRate) are required
  customerLifetimeValue(bg, gg, s);
  // @ts-expect-error discountRate is required
  customerLifetimeValue(bg, gg, s, { horizon: 52 });
  // @ts-expect-error the spend model comes second
  customerLifetimeValue(gg, bg, s, { horizon: 52, discountRate: 0.002 });
  // @ts-expect-error ChurnModel is fitted on Transactions
  ChurnModel.fit(s);
  // @ts-expect-error horizon is a number of days
  ChurnModel.fit(tx, { horizon: "90" });
  // @ts-expect-error misspelt option (horizon)
  ChurnModel.fit(tx, { horizn: 90 });
  // @ts-expect-error score takes Transactions or a Summary
  churn.score("17850");
  // @ts-expect-error fromBytes takes bytes
  ChurnModel.fromBytes("churn.bin");
  // @ts-expect-error risk is a Float64Array, not number[]
  const risk: number[] = scores.risk;
  // @ts-expect-error no such segment ("Champions")
  if (scores.segment[0] === "Champion") void risk;
  // @ts-expect-error the method is "supervised" or "btyd"
  if (churn.method === "logistic") void risk;
  // --- recommendations
  // @ts-expect-error no such algorithm
  Recommender.fit(tx, { algorithm: "svd" });
  // @ts-expect-error unknown option
  Recommender.fit(tx, { bogusOption: 3 });
  // @ts-expect-error factors is a number
  Recommender.fit(tx, { factors: "64" });
  // @ts-expect-error the customer is required
  rec.recommend();
  // @ts-expect-error k is a number
  rec.recommend("17850", { k: "5" });
  // @ts-expect-error exclude is a list of items
  rec.recommend("17850", { exclude: "POST" });
  // @ts-expect-error misspelt option (excludePurchased)
  rec.recommend("17850", { excludePurchases: false });
  // @ts-expect-error recommendMany takes a list of customers
  rec.recommendMany("17850");
  // @ts-expect-error explain needs the item too
  rec.explain("17850");
  // @ts-expect-error no such quantization
  rec.toBytes({ quantization: "f8" });
  // @ts-expect-error splitTime is required
  evaluateRecommender(tx, { k: 10 });
  // --- offers
  // @ts-expect-error the options (offers) are required
  new OfferRanker();
  // @ts-expect-error unknown offer kind
  new OfferRanker({ offers: [{ id: "x", kind: "half_price" }] });
  // @ts-expect-error an offer needs an id
  new OfferRanker({ offers: [{ kind: "gift" }] });
  // @ts-expect-error misspelt option (exploration)
  new OfferRanker({ offers: [], exploraton: 0.2 });
  // @ts-expect-error risk is required in an offer context
  ranker.rank({ clv: 3 });
  // @ts-expect-error misspelt context key (segment)
  ranker.rank({ risk: 0.5, clv: 10, segmnet: "At Risk" });
  // @ts-expect-error the reward is required
  ranker.reward("event-1");
  // @ts-expect-error a logged decision needs its probability
  ranker.evaluate([{ context: { risk: 0.5, clv: 1 }, offer: "none", reward: 0 }]);
  // @ts-expect-error no such simulated shop
  new OfferSimulator({ setup: "tiny" });
}

// Type tests, compiled by matrix.test.mjs against the installed package in every tsconfig of its
// matrix (--strict): typical calls of the API must type-check, and each `@ts-expect-error` line
// must be an error (tsc reports an unused directive otherwise).
import init, {
  Transactions, Summary, BetaGeo, ParetoNbd, GammaGamma, customerLifetimeValue, ChurnModel,
  Recommender, OfferRanker, type ChurnScores, type Ranking, type Segment,
} from "regulars";

export async function tour(csv: string): Promise<void> {
  await init();
  const tx = Transactions.fromCsv(csv, { customer: "CustomerID", time: "InvoiceDate", quantity: "Quantity", price: "UnitPrice", item: "Description" });
  const dropped: number = Object.values(tx.report.dropped).reduce((a, b) => a + b, 0);
  const n: number = tx.length + tx.customerCount + tx.itemCount + dropped;
  const s = tx.summary({ unit: "week", observationEnd: Date.UTC(2011, 11, 9) });
  const seg: Segment[] = s.rfm({ bins: 5 }).segment;
  const bg = BetaGeo.fit(s, { penalizer: 0.001 });
  const r: number = bg.params.r + bg.params.alpha + bg.params.a + bg.params.b + n + seg.length;
  const pn = ParetoNbd.fit(s);
  const beta: number = pn.params.beta + r;
  const alive: Float64Array = bg.probabilityAlive(s);
  const gg = GammaGamma.fit(s);
  const clv: Float64Array = customerLifetimeValue(bg, gg, s, { horizon: 52, discountRate: 0.002 });
  const s2 = Summary.fromColumns({ frequency: [1, 0], recency: new Float64Array([3, 0]), T: [10, 5] });
  const churn = ChurnModel.fit(tx, { horizon: 90, seed: 1 });
  const scores: ChurnScores = churn.score(s2);
  const again = ChurnModel.fromBytes(churn.toBytes());
  const rec = Recommender.fit(tx, { algorithm: "als", factors: 32, onProgress: (f) => void f });
  const top = rec.recommend("17850", { k: 5, exclude: ["POST"] });
  const why = rec.explain("17850", top[0].item);
  const batch = rec.recommendMany(["17850"], { k: 3 });
  const ranker = new OfferRanker({ offers: [{ id: "pct10", kind: "percent_off", value: 10, eligible: { minRisk: 0.3 } }], seed: 3 });
  const ranking: Ranking = ranker.rank({ risk: scores.risk[0], clv: clv[0], segment: "At Risk", orderValue: 40 });
  ranker.reward(ranking.eventId, 12.5);
  const value = ranker.evaluate([{ context: { risk: 0.5, clv: 100 }, offer: "none", probability: 0.9, reward: 0 }]);
  void [beta, alive, again, why, batch, value.dr];
  // @ts-expect-error risk is required in an offer context
  ranker.rank({ clv: 3 });
  // @ts-expect-error unknown offer kind
  new OfferRanker({ offers: [{ id: "x", kind: "half_price" }] });
  // @ts-expect-error the mapping needs a time column
  Transactions.fromCsv(csv, { customer: "c" });
  tx.free();
}

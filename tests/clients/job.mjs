//! The one small job every client runs on the installed package: a tiny shop's order history
//! (made here by a fixed integer generator, so every engine builds the same rows), a BG/NBD fit and
//! a ChurnModel fit and score, a Recommender fit and recommend, an OfferRanker rank with a seed, and
//! each model's bytes round trip, also into the serving build (`regulars/serve`). It imports nothing: each client passes in the package's namespace
//! (already initialised) and prints or returns the JSON answer, which the runner compares with Node
//! ESM's. Plain JavaScript with no runtime APIs, so browsers, Bun, Deno and workerd run it as is.

const DAY = 86_400_000;
const ITEMS = ["mug", "tea", "pot", "cup", "jam", "oat", "bag", "pan"];

/** 48 customers buying over 300 days, from a xorshift32 generator (exact 32-bit integer steps). */
export function shopColumns() {
  let state = 2463534242;
  const next = (n) => {
    state ^= state << 13; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
    return state % n;
  };
  const customer = [], time = [], amount = [], item = [];
  for (let c = 0; c < 48; c++) {
    const id = `c${String(c).padStart(2, "0")}`;
    let day = next(60);
    const gap = 5 + next(40);           // the customer's usual days between orders
    const stop = 60 + next(240);        // the day the customer stops buying
    const favourite = next(ITEMS.length);
    while (day < 300 && day < stop) {
      customer.push(id);
      time.push(day * DAY);
      amount.push(5 + next(60) + next(100) / 100);
      item.push(ITEMS[next(3) === 0 ? next(ITEMS.length) : (favourite + next(2)) % ITEMS.length]);
      day += 1 + next(2 * gap);
    }
  }
  return { customer, time, amount, item };
}

const list = (xs) => Array.from(xs);

/**
 * Runs the job on `r` (the package's exports, initialised) and `serve` (`regulars/serve`'s, the
 * serving build, initialised), which loads the fitted models from their bytes and must score and
 * recommend as the full build does. Returns a JSON-ready answer.
 */
export function job(r, serve) {
  const tx = r.Transactions.fromColumns(shopColumns());
  const summary = tx.summary();

  const bg = r.BetaGeo.fit(summary);
  const bgBack = r.BetaGeo.fromBytes(bg.toBytes());
  const alive = list(bg.probabilityAlive(summary));

  const churn = r.ChurnModel.fit(tx, { horizon: 60, seed: 7 });
  const score = churn.score(tx);
  const churnBack = r.ChurnModel.fromBytes(churn.toBytes());

  const rec = r.Recommender.fit(tx, { seed: 3 });
  const recommended = rec.recommend("c05", { k: 3 });
  const recBack = r.Recommender.fromBytes(rec.toBytes({ quantization: "f32" }));

  const ranker = new r.OfferRanker({
    offers: [
      { id: "10-off", kind: "percent_off", value: 10 },
      { id: "free-shipping", kind: "free_shipping", cost: 4 },
      { id: "gift", kind: "gift", cost: 2 },
    ],
    margin: 12,
    seed: 11,
  });
  const ranked = ranker.rank({ customer: score.customers[0], risk: score.risk[0], clv: score.clv[0], segment: score.segment[0] });
  const rankerBack = r.OfferRanker.fromBytes(ranker.toBytes());

  const served = serve.ChurnModel.fromBytes(churn.toBytes()).score(serve.Transactions.fromColumns(shopColumns()));
  // f32 bytes load bit for bit as fitted (the default stores f16/int8 factors: close, not equal).
  const servedRecommended = serve.Recommender.fromBytes(rec.toBytes({ quantization: "f32" })).recommend("c05", { k: 3 });

  return {
    rows: tx.length,
    customers: tx.customerCount,
    items: tx.itemCount,
    betaGeo: { params: bg.params, logLikelihood: bg.logLikelihood, probabilityAlive: alive },
    churn: {
      customers: score.customers, risk: list(score.risk), clv: list(score.clv),
      probabilityAlive: list(score.probabilityAlive), segment: score.segment,
    },
    recommend: recommended,
    rank: ranked.ranking,
    roundTrip: {
      betaGeo: JSON.stringify(list(bgBack.probabilityAlive(summary))) === JSON.stringify(alive),
      churn: JSON.stringify(list(churnBack.score(tx).risk)) === JSON.stringify(list(score.risk)),
      recommend: JSON.stringify(recBack.recommend("c05", { k: 3 })) === JSON.stringify(recommended),
      ranker: rankerBack.toBytes().length === ranker.toBytes().length,
      serveChurn: JSON.stringify(list(served.risk)) === JSON.stringify(list(score.risk)),
      serveRecommend: JSON.stringify(servedRecommended) === JSON.stringify(recommended),
    },
  };
}

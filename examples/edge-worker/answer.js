// The edge worker's answer for one customer, written once and used by the worker and by the test
// (which computes the same answer in Node). `regulars` is the package's namespace; `models` are
// the loaded ChurnModel and Recommender and the OfferRanker's saved bytes; `c` is the customer's
// stored record { frequency, recency, T, monetary, segment, orderValue }.
export function answer(regulars, models, id, c) {
  const summary = regulars.Summary.fromColumns({
    customer: [id], frequency: [c.frequency], recency: [c.recency], T: [c.T], monetary: [c.monetary],
  });
  try {
    const scores = models.churn.score(summary);
    const risk = scores.risk[0];
    const clv = scores.clv[0];
    const topProducts = models.recommender.recommend(id, { k: 5 });
    // A fresh copy of the saved policy per request: the answer depends only on the saved model
    // and the customer (the ranker learns offline, from logged rewards).
    const ranker = regulars.OfferRanker.fromBytes(models.rankerBytes);
    try {
      const { ranking } = ranker.rank({ customer: id, risk, clv, segment: c.segment, orderValue: c.orderValue });
      return {
        customer: id,
        risk,
        probabilityAlive: scores.probabilityAlive[0],
        clv,
        segment: c.segment,
        topProducts,
        bestOffer: ranking[0],
      };
    } finally {
      ranker.free?.();
    }
  } finally {
    summary.free?.();
  }
}

// The edge worker's answer for one customer, written once and used by the worker and by the test
// (which computes the same answer in Node). `regulars` is the package's namespace; `models` are
// the loaded ChurnModel, Recommender and the one OfferRanker the worker ranks with; `c` is the
// customer's stored record { time: number[], amount: number[], segment, orderValue }: their
// purchases (one per day, as the models count them), as a KV store would hold them.
// Returns { body, decision }: the answer, and the decision record to log for the learner.
export function answer(regulars, models, id, c) {
  // The customer's own history, scored by the saved model as of its observation end: the same
  // numbers as scoring the whole shop (features such as first and total spend need the history,
  // not just frequency / recency / T).
  const history = regulars.Transactions.fromColumns({ customer: c.time.map(() => id), time: c.time, amount: c.amount });
  try {
    const scores = models.churn.score(history);
    const risk = scores.risk[0];
    const clv = scores.clv[0];
    const topProducts = models.recommender.recommend(id, { k: 5 });
    const { eventId, policyVersion, ranking, decision } = models.ranker.rank({
      customer: id, risk, clv, segment: c.segment, orderValue: c.orderValue,
    });
    return {
      body: {
        customer: id,
        risk,
        probabilityAlive: scores.probabilityAlive[0],
        clv,
        segment: c.segment,
        topProducts,
        // eventId: the key the shop reports the outcome under; policyVersion: which policy chose.
        bestOffer: { ...ranking[0], eventId, policyVersion },
      },
      decision,
    };
  } finally {
    history.free?.();
  }
}

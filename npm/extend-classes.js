// The few API methods that take "one of several classes" (wasm-bindgen cannot), dispatched here
// to the class-specific exports, and results unpacked from one buffer. No computing. Installed on
// the classes of either build (`regulars` via extend.js, `regulars/serve` via serve-extend.js).
export function extend({ ChurnModel, OfferRanker, Recommender, Summary }) {

/** `churn.score(tx or s)`. */
ChurnModel.prototype.score = function score(input) {
  return input instanceof Summary ? this.scoreSummary(input) : this.scoreTransactions(input);
};

/** The scores' reasons come across as one "\n"-joined string (one decode from wasm memory
 * instead of one per customer) and are split here. */
for (const name of ["scoreSummary", "scoreTransactions"]) {
  const packed = ChurnModel.prototype[name];
  ChurnModel.prototype[name] = function (input) {
    const scores = packed.call(this, input);
    scores.reason = scores.reason.split("\n");
    return scores;
  };
}

/** Offer or item ids by index, fetched once per model (a model's catalogue never changes). */
const idCache = new WeakMap();
function ids(model, fetch) {
  let list = idCache.get(model);
  if (list === undefined) idCache.set(model, (list = fetch.call(model)));
  return list;
}

/** `ranker.rank(context)`: assembled from `__rankPacked`'s text (event id and reasons, one per
 * line), `__rankNumbers` (policy version, control flag, intended offer, then three numbers per
 * ranked offer) and the offer ids — JSON with 40 full-precision floats cost more to format and
 * parse than the ranking itself. The decision record is plain JSON, ready for a log. */
OfferRanker.prototype.rank = function rank(context) {
  const lines = this.__rankPacked(context).split("\n");
  const numbers = this.__rankNumbers();
  const offerIds = ids(this, this.__offerIds);
  const ranking = new Array(lines.length - 1);
  for (let k = 0; k < ranking.length; k++) {
    const at = 3 + 3 * k;
    ranking[k] = { offer: offerIds[numbers[at]], probability: numbers[at + 1], expectedValue: numbers[at + 2], reason: lines[k + 1] };
  }
  const eventId = lines[0], policyVersion = numbers[0], control = numbers[1] === 1;
  const used = { risk: context.risk, clv: context.clv };
  if (context.customer != null) used.customer = String(context.customer);
  if (context.segment != null) used.segment = context.segment;
  if (context.orderValue != null) used.orderValue = context.orderValue;
  if (context.features != null) used.features = { ...context.features };
  const decision = {
    eventId, policyVersion, time: Date.now(), context: used,
    eligible: ranking.map((r) => r.offer), offer: ranking[0].offer, probability: ranking[0].probability, control,
  };
  if (used.customer !== undefined) decision.customer = used.customer;
  if (control) decision.intended = offerIds[numbers[2]];
  return { eventId, policyVersion, ranking, decision };
};

/** `rec.recommendMany(customers, opts)`: the lists come across packed (one index and one score
 * buffer for the whole batch, see `__recommendManyPacked`) and are unpacked here — a JS string
 * per recommendation decoded from wasm memory cost more than the recommending. */
Recommender.prototype.recommendMany = function recommendMany(customers, options) {
  const packed = this.__recommendManyPacked(customers, options);
  const itemIds = ids(this, this.__itemIds);
  const { counts, items, scores } = packed;
  const outItems = new Array(counts.length), outScores = new Array(counts.length);
  let at = 0;
  for (let c = 0; c < counts.length; c++) {
    const n = counts[c], list = new Array(n);
    for (let j = 0; j < n; j++) list[j] = itemIds[items[at + j]];
    outItems[c] = list;
    outScores[c] = scores.slice(at, at + n);
    at += n;
  }
  return { customers: packed.customers, items: outItems, scores: outScores };
};
}

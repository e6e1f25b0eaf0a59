// The few API methods that take "one of several classes" (wasm-bindgen cannot), dispatched here
// to the class-specific exports, and results unpacked from one buffer. No computing.
import { ChurnModel, OfferRanker, Recommender, Summary } from "./regulars.js";

/** `churn.score(tx or s)`. */
ChurnModel.prototype.score = function score(input) {
  return input instanceof Summary ? this.scoreSummary(input) : this.scoreTransactions(input);
};

/** `ranker.rank(context)`: the ranking comes across as one JSON string (see `rankJson`). */
OfferRanker.prototype.rank = function rank(context) {
  return JSON.parse(this.rankJson(context));
};

/** Item ids by index, fetched once per model (a model never changes). */
const itemIds = new WeakMap();

/** `rec.recommendMany(customers, opts)`: the lists come across packed (one index and one score
 * buffer for the whole batch, see `__recommendManyPacked`) and are unpacked here — a JS string
 * per recommendation decoded from wasm memory cost more than the recommending. */
Recommender.prototype.recommendMany = function recommendMany(customers, options) {
  const packed = this.__recommendManyPacked(customers, options);
  let ids = itemIds.get(this);
  if (ids === undefined) {
    ids = this.__itemIds();
    itemIds.set(this, ids);
  }
  const { counts, items, scores } = packed;
  const outItems = new Array(counts.length), outScores = new Array(counts.length);
  let at = 0;
  for (let c = 0; c < counts.length; c++) {
    const n = counts[c], list = new Array(n);
    for (let j = 0; j < n; j++) list[j] = ids[items[at + j]];
    outItems[c] = list;
    outScores[c] = scores.slice(at, at + n);
    at += n;
  }
  return { customers: packed.customers, items: outItems, scores: outScores };
};

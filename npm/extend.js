// The few API methods that take "one of several classes" (wasm-bindgen cannot), dispatched here
// to the class-specific exports, and results unpacked from one buffer. No computing.
import { ChurnModel, OfferRanker, Recommender, Summary } from "./regulars.js";

/** `churn.score(tx or s)`. */
ChurnModel.prototype.score = function score(input) {
  return input instanceof Summary ? this.scoreSummary(input) : this.scoreTransactions(input);
};

/** `ranker.rank(context)`: assembled from `rankPacked`'s text, `rankNumbers` and the offer ids
 * (cached per ranker: the catalogue never changes). */
const offerIds = new WeakMap();
OfferRanker.prototype.rank = function rank(context) {
  const lines = this.rankPacked(context).split("\n");
  const numbers = this.rankNumbers();
  let ids = offerIds.get(this);
  if (ids === undefined) offerIds.set(this, (ids = this.offerIds));
  const ranking = new Array(lines.length - 1);
  for (let k = 0; k < ranking.length; k++) {
    ranking[k] = { offer: ids[numbers[3 * k]], probability: numbers[3 * k + 1], expectedValue: numbers[3 * k + 2], reason: lines[k + 1] };
  }
  return { eventId: lines[0], ranking };
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

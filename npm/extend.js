// The few API methods that take "one of several classes" (wasm-bindgen cannot), dispatched here
// to the class-specific exports. No computing: each is one call into the wasm module.
import { ChurnModel, OfferRanker, Summary } from "./regulars.js";

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

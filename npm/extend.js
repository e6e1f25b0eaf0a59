// The few API methods that take "one of several classes" (wasm-bindgen cannot), dispatched here
// to the class-specific exports. No computing: each is one call into the wasm module.
import { ChurnModel, OfferRanker, Summary } from "./regulars.js";

/** `churn.score(tx or s)`. */
ChurnModel.prototype.score = function score(input) {
  return input instanceof Summary ? this.scoreSummary(input) : this.scoreTransactions(input);
};

/** `ranker.rank(context)`: the ranking comes across as one JSON string (see `rankJson`). */
OfferRanker.prototype.rank = function rank(context) {
  return JSON.parse(this.rankJson(context));
};

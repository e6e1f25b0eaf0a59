// OfferRanker.rank with 20 offers in wasm (Node): median µs per call over batches (goal ≤ 20 µs).
import { importInstalled } from "../scripts/installed-package.mjs";
const r = await importInstalled();
const kinds = ["percent_off", "amount_off", "free_shipping", "bonus_points", "cashback", "gift"];
const offers = Array.from({ length: 19 }, (_, i) => ({ id: `offer-${i}`, kind: kinds[i % kinds.length], value: 5 + i, cost: 1 + (i % 4) }));
const ranker = new r.OfferRanker({ offers, margin: 12, seed: 1 }); // + "none" = 20 offers
const segments = ["Champions", "At Risk", "Lost", "New Customers"];
const contexts = Array.from({ length: 1000 }, (_, i) => ({ risk: (i % 100) / 100, clv: 50 + (i % 700), segment: segments[i % 4], orderValue: 30 + (i % 50) }));
// Warm up and learn a little so the learned model is in play.
for (let i = 0; i < 5000; i++) {
  const { eventId, ranking } = ranker.rank(contexts[i % 1000]);
  ranker.reward(eventId, ranking[0].offer === "none" ? 0 : 3);
}
const perCall = [];
for (let batch = 0; batch < 21; batch++) {
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) ranker.rank(contexts[i]);
  perCall.push(((performance.now() - t0) / 1000) * 1000);
}
perCall.sort((a, b) => a - b);
console.log(`| OfferRanker.rank, 20 offers (wasm, Node) | ${perCall[10].toFixed(1)} µs per call (median of 21 batches of 1,000) | goal ≤ 20 µs |`);

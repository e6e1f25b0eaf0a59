// A retention-offer world written in JS from issue 4's words alone, independently of the crate's
// simulators (src/offers/simulator.rs, tests/offers_worlds): five RFM segments, customers who buy
// anyway, a percent discount that loses money on them, a gift that works on loyal segments only,
// hidden price hunters, order value known or not, risk scores exact or noisy. Through the package
// it runs the OfferRanker, a plain linear epsilon-greedy learner (per-offer ridge regression on
// [1, risk, CLV, order value, segment one-hots], uniform exploration 0.1) and every fixed offer on
// the same customers, and prints the share of the oracle's incremental margin over always-"none"
// each captured (expected values of the offers shown, 50,000 rounds, exploration included),
// with the share a "context oracle" (best offer given what the context shows) reaches.
//
//   node benches/offers_outside_world.mjs [seeds, default 8]
import { importInstalled } from "../scripts/installed-package.mjs";
const { OfferRanker } = await importInstalled();

const ROUNDS = 50_000;
const MARGIN_RATE = 0.35;
const SEGMENTS = [
  // name, share, P(buy without an offer) range, mean order value, lift per offer
  { name: "Champions", share: 0.12, buy: [0.6, 0.85], orderValue: 90, lift: { pct10: 0.02, ship: 0.01, points: 0.04, gift: 0.12, cash: 0.03 } },
  { name: "Loyal", share: 0.18, buy: [0.45, 0.7], orderValue: 70, lift: { pct10: 0.04, ship: 0.02, points: 0.06, gift: 0.1, cash: 0.05 } },
  { name: "Potential", share: 0.2, buy: [0.25, 0.45], orderValue: 55, lift: { pct10: 0.07, ship: 0.08, points: 0.03, gift: 0, cash: 0.04 } },
  { name: "At Risk", share: 0.25, buy: [0.1, 0.3], orderValue: 60, lift: { pct10: 0.12, ship: 0.06, points: 0.02, gift: 0, cash: 0.05 } },
  { name: "Hibernating", share: 0.25, buy: [0.02, 0.12], orderValue: 45, lift: { pct10: 0.06, ship: 0.03, points: 0, gift: 0, cash: 0.02 } },
];
const OFFERS = [
  { id: "pct10", kind: "percent_off", value: 10 },
  { id: "ship", kind: "free_shipping", cost: 6 },
  { id: "points", kind: "bonus_points", value: 5 },
  { id: "gift", kind: "gift", cost: 9 },
  { id: "cash", kind: "cashback", value: 5 },
];
const ACTIONS = ["none", ...OFFERS.map((o) => o.id)];
// Cost to the shop when the customer buys: points are redeemed 60 % of the time, cashback 80 %.
const cost = (action, orderValue) =>
  ({ none: 0, pct10: 0.1 * orderValue, ship: 6, points: 0.05 * orderValue * 0.6, gift: 9, cash: 0.05 * orderValue * 0.8 })[action];

function xorshift(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** One customer: what the ranker sees, and the true expected margin of each action. */
function customer(u, withOrderValue, noisyRisk) {
  let x = u(), k = 0;
  while (k < SEGMENTS.length - 1 && x > SEGMENTS[k].share) x -= SEGMENTS[k++].share;
  const segment = SEGMENTS[k];
  const buyAnyway = segment.buy[0] + (segment.buy[1] - segment.buy[0]) * u();
  const orderValue = segment.orderValue * Math.exp(0.5 * (u() + u() + u() - 1.5));
  // A third of the non-loyal customers are price hunters: twice as moved by a discount, more by
  // cashback, not at all by a gift. Nothing in the context says who they are.
  const liftFor = (hunter) => {
    const lift = { none: 0, ...segment.lift };
    if (hunter) Object.assign(lift, { pct10: lift.pct10 * 2, cash: lift.cash * 1.5, gift: 0 });
    return lift;
  };
  const mayHunt = k >= 2;
  const hunter = mayHunt && u() < 0.33;
  const lift = liftFor(hunter);
  const net = (a) => orderValue * MARGIN_RATE - cost(a, orderValue);
  const probability = (a) => Math.min(1, buyAnyway + lift[a]);
  const valueWith = (l) => (a) => Math.min(1, buyAnyway + l[a]) * net(a);
  const value = (a) => probability(a) * net(a);
  const [ifHunter, ifNot] = [valueWith(liftFor(true)), valueWith(liftFor(false))];
  const seen = (a) => (mayHunt ? 0.33 * ifHunter(a) + 0.67 * ifNot(a) : ifNot(a));
  const risk = Math.min(0.99, Math.max(0.01, 1 - buyAnyway + (noisyRisk ? 0.1 * (u() - 0.5) : 0)));
  const clv = orderValue * MARGIN_RATE * (1 - risk) * 6 * Math.exp(0.3 * (u() - 0.5));
  const context = { risk, clv, segment: segment.name, ...(withOrderValue ? { orderValue } : {}) };
  return { context, value, seen, probability, net };
}

/** The plain learner: per-action ridge regression, refitted every 200 rewards, ε-greedy. */
function linearEpsilonGreedy(u, epsilon) {
  const features = (c) => [1, c.risk, c.clv / 100, (c.orderValue ?? 0) / 100, ...SEGMENTS.map((s) => (s.name === c.segment ? 1 : 0))];
  const d = 4 + SEGMENTS.length;
  const xtx = ACTIONS.map(() => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))));
  const xty = ACTIONS.map(() => new Array(d).fill(0));
  let theta = ACTIONS.map(() => new Array(d).fill(0)), seen = 0;
  const solve = (m, v) => {
    const a = m.map((row, i) => [...row, v[i]]), n = v.length;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const f = a[j][i] / a[i][i];
        for (let c = i; c <= n; c++) a[j][c] -= f * a[i][c];
      }
    }
    const x = new Array(n).fill(0);
    for (let i = n - 1; i >= 0; i--) {
      let s = a[i][n];
      for (let c = i + 1; c < n; c++) s -= a[i][c] * x[c];
      x[i] = s / a[i][i];
    }
    return x;
  };
  return {
    choose(context) {
      const x = features(context);
      if (u() < epsilon) return { action: Math.floor(u() * ACTIONS.length), x };
      let action = 0, best = -Infinity;
      theta.forEach((t, a) => {
        const v = t.reduce((s, w, i) => s + w * x[i], 0);
        if (v > best) [best, action] = [v, a];
      });
      return { action, x };
    },
    learn(action, x, reward) {
      for (let i = 0; i < d; i++) {
        xty[action][i] += x[i] * reward;
        for (let j = 0; j < d; j++) xtx[action][i][j] += x[i] * x[j];
      }
      if (++seen < 200 || seen % 200 === 0) theta = ACTIONS.map((_, a) => solve(xtx[a], xty[a]));
    },
  };
}

function run(seed, withOrderValue, noisyRisk) {
  const world = xorshift(seed * 7919 + 13), peerRandom = xorshift(seed * 17 + 3), outcome = xorshift(seed + 99);
  const ranker = new OfferRanker({ offers: OFFERS, margin: 60 * MARGIN_RATE, marginRate: MARGIN_RATE, seed });
  const peer = linearEpsilonGreedy(peerRandom, 0.1);
  const total = { none: 0, oracle: 0, contextOracle: 0, ranker: 0, linear: 0 };
  const fixed = Object.fromEntries(OFFERS.map((o) => [o.id, 0]));
  for (let t = 0; t < ROUNDS; t++) {
    const c = customer(world, withOrderValue, noisyRisk);
    const realised = (a) => (outcome() < c.probability(a) ? c.net(a) : 0);
    total.none += c.value("none");
    total.oracle += Math.max(...ACTIONS.map(c.value));
    total.contextOracle += c.value(ACTIONS.reduce((b, a) => (c.seen(a) > c.seen(b) ? a : b), "none"));
    for (const o of OFFERS) fixed[o.id] += c.value(o.id);
    const { eventId, ranking } = ranker.rank(c.context);
    total.ranker += c.value(ranking[0].offer);
    ranker.reward(eventId, realised(ranking[0].offer));
    const { action, x } = peer.choose(c.context);
    total.linear += c.value(ACTIONS[action]);
    peer.learn(action, x, realised(ACTIONS[action]));
  }
  const share = (v) => (v - total.none) / (total.oracle - total.none);
  return {
    ranker: share(total.ranker),
    linear: share(total.linear),
    contextOracle: share(total.contextOracle),
    bestFixed: Math.max(...Object.values(fixed).map(share)),
  };
}

const seeds = Number(process.argv[2] ?? 8);
const pct = (x) => (100 * x).toFixed(1);
console.log("| world | OfferRanker, min–max (mean) | linear ε-greedy, same customers | best fixed offer | context oracle |");
console.log("|---|---|---|---|---|");
for (const [withOrderValue, noisyRisk] of [[true, false], [false, false], [true, true], [false, true]]) {
  const runs = Array.from({ length: seeds }, (_, i) => run(i + 1, withOrderValue, noisyRisk));
  const summary = (key) => {
    const xs = runs.map((x) => x[key]);
    return `${pct(Math.min(...xs))}–${pct(Math.max(...xs))} (${pct(xs.reduce((a, b) => a + b) / xs.length)})`;
  };
  const beats = runs.filter((x) => x.ranker > x.linear).length;
  console.log(`| order value ${withOrderValue ? "known" : "unknown"}, risk ${noisyRisk ? "noisy" : "exact"} | ${summary("ranker")} % | ${summary("linear")} % (ranker ahead in ${beats}/${seeds}) | ${summary("bestFixed")} % | ${summary("contextOracle")} % |`);
}

// The retention offers the demo ranks, and a small seeded campaign simulator used until the
// package's own simulator (simulateOffers) is wired in. The offers and their rough effects follow
// The retention domain: percent discounts are costly on orders that would have happened anyway,
// points/cashback cost less, gifts and early access work on loyal customers, small nudges on
// lapsing ones.

export const OFFERS = [
  { id: "none", kind: "none", label: "No incentive: a friendly “we miss you” note" },
  { id: "pct5", kind: "percent_off", value: 5, label: "5 % off the next order" },
  { id: "pct10", kind: "percent_off", value: 10, label: "10 % off the next order" },
  { id: "freeship", kind: "free_shipping", cost: 4.95, label: "Free delivery on the next order" },
  { id: "points", kind: "bonus_points", value: 5, cost: 1, label: "5 % back in loyalty points" },
  {
    id: "gift", kind: "gift", cost: 3, label: "A small gift with the next order",
    eligible: { segments: ["Champions", "Loyal Customers", "Can't Lose Them", "At Risk", "Potential Loyalists"] },
  },
];

/** The options passed to `new OfferRanker(...)`: the catalogue without display labels. */
export function rankerOptions(seed = 7) {
  return {
    offers: OFFERS.map(({ label, ...o }) => o),
    marginRate: 0.35,
    exploration: 0.1,
    seed,
  };
}

export const offerLabel = (id) => OFFERS.find((o) => o.id === id)?.label ?? id;

/** Plain words for an offer spec { kind, value?, cost? }; `money` formats an amount. */
export function describeOffer(spec, money = (v) => String(v)) {
  const v = spec.value;
  switch (spec.kind) {
    case "none": return "No incentive: a friendly “we miss you” note";
    case "percent_off": return `${v} % off the next order`;
    case "amount_off": return `${money(v)} off the next order`;
    case "free_shipping": return "Free delivery on the next order";
    case "bonus_points": return `${v} % back in loyalty points`;
    case "cashback": return `${v} % cashback on the next order`;
    case "gift": return v ? `A free gift worth ${money(v)} with the next order` : "A small gift with the next order";
    default: return spec.id ?? spec.kind;
  }
}

/** mulberry32: a tiny seeded generator for the JS-side simulator (the package has its own). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOYAL = new Set(["Champions", "Loyal Customers", "Potential Loyalists", "Can't Lose Them"]);

/**
 * How a simulated customer answers an offer: the chance of ordering in the next month without an
 * offer comes from the churn model (1 - risk, scaled to a month); each offer adds a lift that
 * depends on who receives it. Returns { buyProbability, cost(orderValue) }.
 */
export function simulatedResponse(offer, customer) {
  const base = Math.min(0.95, (1 - customer.risk) * 0.6);
  const lapsing = customer.risk; // lifts are larger for lapsing customers: there is more to win back
  const loyal = LOYAL.has(customer.segment);
  let lift = 0;
  let cost = () => 0;
  switch (offer.kind) {
    case "percent_off":
      lift = (offer.value / 100) * (0.6 + 1.2 * lapsing) * (loyal ? 0.6 : 1);
      cost = (v) => (offer.value / 100) * v;
      break;
    case "free_shipping":
      lift = 0.05 + 0.05 * lapsing;
      cost = () => offer.cost ?? 4.95;
      break;
    case "bonus_points":
      lift = loyal ? 0.07 : 0.03;
      cost = (v) => (offer.value / 100) * v * 0.5; // about half of the points are ever redeemed
      break;
    case "gift":
      lift = loyal ? 0.09 : 0.01;
      cost = () => offer.cost ?? 3;
      break;
    default:
      lift = 0.01 * lapsing; // a friendly reminder nudges a little
  }
  return { buyProbability: Math.min(0.98, base + lift * (1 - base)), cost };
}

/**
 * Runs a campaign: each round one customer (drawn with replacement) is contacted by each policy,
 * with the same random draws for all policies (common random numbers), so differences come from
 * the policies alone. `rankWith(context)` returns the ranker's { eventId, ranking }; `rewardWith`
 * feeds the outcome back so the ranker learns. Profit = margin rate x order value - offer cost.
 */
export function simulateCampaign({ customers, rounds, seed, marginRate, rankWith, rewardWith, onProgress }) {
  const rand = seededRandom(seed);
  // Clip order values at the 95th percentile: one wholesale-sized order should not decide the campaign.
  const values = customers.map((c) => c.orderValue).filter(Number.isFinite).sort((a, b) => a - b);
  const cap = values[Math.floor(values.length * 0.95)] ?? 100;
  const offersById = Object.fromEntries(OFFERS.map((o) => [o.id, o]));
  const policies = ["ranker", "none", "pct10"];
  const total = Object.fromEntries(policies.map((p) => [p, 0]));
  const orders = Object.fromEntries(policies.map((p) => [p, 0]));
  const spentOnOffers = Object.fromEntries(policies.map((p) => [p, 0]));
  const curve = Object.fromEntries(policies.map((p) => [p, []]));
  const chosen = {};
  const step = Math.max(1, Math.floor(rounds / 100));
  for (let round = 1; round <= rounds; round++) {
    const c = customers[Math.floor(rand() * customers.length)];
    const u = rand();
    const typical = Math.min(Number.isFinite(c.orderValue) && c.orderValue > 0 ? c.orderValue : cap / 4, cap);
    const orderValue = typical * (0.7 + 0.6 * rand());
    for (const p of policies) {
      let offerId = p;
      let eventId = null;
      if (p === "ranker") {
        const r = rankWith({ customer: c.id, risk: c.risk, clv: c.clv, segment: c.segment, orderValue: typical });
        offerId = r.ranking[0].offer;
        eventId = r.eventId;
        if (round > rounds * 0.8) chosen[offerId] = (chosen[offerId] || 0) + 1;
      }
      const offer = offersById[offerId] ?? { kind: "none" };
      const resp = simulatedResponse(offer, c);
      const bought = u < resp.buyProbability;
      const cost = bought ? resp.cost(orderValue) : 0;
      const profit = bought ? marginRate * orderValue - cost : 0;
      if (eventId !== null) rewardWith(eventId, profit);
      total[p] += profit;
      orders[p] += bought ? 1 : 0;
      spentOnOffers[p] += cost;
    }
    if (round % step === 0 || round === rounds) {
      for (const p of policies) curve[p].push({ round, profitPerContact: total[p] / round });
      onProgress?.(round / rounds);
    }
  }
  return { rounds, policies, total, orders, spentOnOffers, curve, chosenLate: chosen };
}

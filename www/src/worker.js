// The demo's Web Worker: every call into the regulars package happens here, off the page's main
// thread. Messages in: {id, type: "analyse" | "customer" | "simulate", ...}; messages out:
// {type: "progress", stage, fraction}, and {id, type: "result", value} or {id, type: "error", message}.
import init, * as regulars from "regulars";
import { parseCsv, parseTime } from "./csv.js";
import { rankerOptions, simulateCampaign, describeOffer, OFFERS } from "./offers.js";
import { money, setCurrency } from "./format.js";
import { ANALYSIS, IMPORT_OPTIONS } from "./sample.js";

const DAY = 86400000;
const ready = init();
let state = null;

const progress = (stage, fraction) => self.postMessage({ type: "progress", stage, fraction });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0)); // let progress messages out

/** Customer ids as the display side keys them ("17850.0" and "17850" are the same customer). */
const key = (id) => String(id).trim().replace(/\.0+$/, "");

self.onmessage = async (event) => {
  const { id, type, ...args } = event.data;
  try {
    await ready;
    const handler = { analyse, customer, simulate }[type];
    if (!handler) throw new Error(`unknown request '${type}'`);
    const value = await handler(args);
    self.postMessage({ id, type: "result", value });
  } catch (err) {
    self.postMessage({ id, type: "error", message: err?.message ?? String(err) });
  }
};

/** Purchase history per customer, read from the same CSV with the same mapping, for display;
 *  and product names by product id when the mapping has a separate name column (`itemName`). */
function histories(text, mapping, names) {
  const rows = parseCsv(text);
  const header = rows[0] ?? [];
  const col = (name) => (name ? header.indexOf(name) : -1);
  const [ci, ti, ai, ii, qi, pi, vi, ni] = ["customer", "time", "amount", "item", "quantity", "price", "invoice", "itemName"].map((k) => col(mapping[k]));
  const byCustomer = new Map();
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const c = row[ci]?.trim();
    const t = parseTime(row[ti] ?? "");
    if (!c || !Number.isFinite(t)) continue;
    if (vi >= 0 && /^c/i.test(row[vi]?.trim() ?? "")) continue; // a cancellation, as the importer drops it
    let amount = NaN;
    if (ai >= 0) amount = parseFloat(row[ai]);
    else if (qi >= 0 && pi >= 0) amount = parseFloat(row[qi]) * parseFloat(row[pi]);
    if (Number.isFinite(amount) && !(amount > 0)) continue; // non-positive amounts are dropped too
    const k = key(c);
    if (!byCustomer.has(k)) byCustomer.set(k, []);
    const item = ii >= 0 ? row[ii]?.trim() : "";
    if (ni >= 0 && item && !names.has(item)) names.set(item, row[ni]?.trim() || item);
    byCustomer.get(k).push({ t, amount, item, quantity: qi >= 0 ? parseFloat(row[qi]) : NaN });
  }
  for (const list of byCustomer.values()) list.sort((a, b) => a.t - b.t);
  return byCustomer;
}

/**
 * The offer catalogue and a ranker for it. With the package's OfferSimulator, the catalogue is
 * the simulated shop's and the ranker has already learnt from `warmup` simulated contacts (a
 * stand-in for the rewards a real shop would feed back); otherwise the demo's own catalogue.
 */
function offerSetup(seed, warmup) {
  const Simulator = Reflect.get(regulars, "OfferSimulator");
  if (typeof Simulator === "function") {
    const simulator = new Simulator({ seed });
    const options = simulator.rankerOptions(seed);
    const ranker = new regulars.OfferRanker(options);
    if (warmup > 0) simulator.run(ranker, warmup);
    simulator.free?.();
    return { ranker, options, source: "package" };
  }
  const options = rankerOptions(seed);
  return { ranker: new regulars.OfferRanker(options), options, source: "demo" };
}
const offerLabels = (options) => Object.fromEntries(options.offers.map((o) => [o.id, OFFERS.find((d) => d.id === o.id && d.kind === o.kind)?.label ?? describeOffer(o, money)]));

async function analyse({ text, mapping, currency = "GBP", horizon = ANALYSIS.horizon, seed = ANALYSIS.seed }) {
  setCurrency(currency);
  progress("Reading orders", 0.02);
  await tick();
  const { itemName, ...packageMapping } = mapping; // the name column is for display only
  const tx = regulars.Transactions.fromCsv(text, packageMapping, IMPORT_OPTIONS);
  const report = tx.report;
  if (tx.customerCount === 0) throw new Error("no customers left after import: check the column mapping");
  progress("Summarising customers", 0.15);
  await tick();
  const summary = tx.summary();
  const rfm = summary.rfm();
  const measures = typeof tx.shopMeasures === "function" ? tx.shopMeasures() : null;
  let retention = null;
  try {
    if (typeof tx.retentionRates === "function") retention = tx.retentionRates(30);
  } catch { retention = null; }
  progress("Fitting the churn model", 0.25);
  await tick();
  const churn = regulars.ChurnModel.fit(tx, { horizon, seed });
  progress("Scoring customers", 0.45);
  await tick();
  const scores = churn.score(tx);
  // Recommendations need a product column; without one (or if training fails) the page still
  // shows churn and offers, and says why there are no product suggestions.
  let rec = null;
  let recError = null;
  if (!mapping.item) recError = "map a product column to get product recommendations";
  else {
    progress("Learning which products go together", 0.5);
    await tick();
    try {
      rec = regulars.Recommender.fit(tx, {
        ...ANALYSIS.recommender,
        seed,
        onProgress: (f) => progress("Learning which products go together", 0.5 + 0.4 * f),
      });
    } catch (err) {
      recError = err?.message ?? String(err);
    }
  }
  progress("Preparing offers", 0.92);
  await tick();
  const offers = offerSetup(seed, ANALYSIS.offerWarmup);
  const ranker = offers.ranker;
  const names = new Map();
  const history = histories(typeof text === "string" ? text : new TextDecoder().decode(text), mapping, names);

  // Per-customer table, aligned with the package's own customer order.
  // wasm-bindgen getters copy on every access: read each column once.
  const cols = {
    customers: summary.customers, frequency: summary.frequency, recency: summary.recency, T: summary.T,
    monetary: summary.monetary, totalSpend: summary.totalSpend,
  };
  const sc = {
    customers: scores.customers, risk: scores.risk, probabilityAlive: scores.probabilityAlive,
    expectedPurchases: scores.expectedPurchases, clv: scores.clv, segment: scores.segment,
  };
  const summaryIndex = new Map(cols.customers.map((c, i) => [c, i]));
  const totalSpend = cols.totalSpend;
  const n = sc.customers.length;
  const customers = new Array(n);
  let lastTime = -Infinity;
  for (const list of history.values()) lastTime = Math.max(lastTime, list[list.length - 1].t);
  for (let i = 0; i < n; i++) {
    const id = sc.customers[i];
    const j = summaryIndex.get(id) ?? i;
    const lines = history.get(key(id)) ?? [];
    const spend = totalSpend ? totalSpend[j] : lines.reduce((s, l) => s + (Number.isFinite(l.amount) ? l.amount : 0), 0);
    const orders = cols.frequency[j] + 1;
    customers[i] = {
      id,
      risk: sc.risk[i],
      probabilityAlive: sc.probabilityAlive[i],
      expectedPurchases: sc.expectedPurchases[i],
      clv: sc.clv[i],
      segment: sc.segment?.[i] ?? rfm.segment[j],
      orders,
      age: cols.T[j],
      monetary: cols.monetary[j],
      daysSinceLast: cols.T[j] - cols.recency[j],
      spend,
      orderValue: spend / orders,
    };
  }
  // Only now replace the previous data: a file that fails leaves the page on what it showed.
  if (state) for (const k of ["tx", "summary", "churn", "rec", "ranker"]) state[k]?.free?.();
  state = { tx, summary, churn, rec, recError, ranker, names, offerLabels: offerLabels(offers.options), history, customers, observationEnd: lastTime, byId: new Map(customers.map((c) => [c.id, c])), horizon, seed };
  progress("Ready", 1);
  return {
    report,
    length: tx.length,
    customerCount: tx.customerCount,
    itemCount: tx.itemCount,
    measures,
    retention: retention && plain(retention),
    customers,
    horizon,
    lastTime,
    recommendations: rec ? null : recError,
    churnMethod: typeof churn.method === "string" ? { method: churn.method, heldOut: churn.validation?.heldOut } : null,
  };
}

/** Typed arrays and plain objects survive postMessage; wasm-bindgen objects may not. */
function plain(value) {
  if (value == null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value)) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  const out = {};
  for (const k of Object.keys(value)) out[k] = plain(value[k]);
  return out;
}

/**
 * The customer's risk and P(alive) through their life, as today's churn model would have scored
 * them on each past day, and on each of the next 180 days if they stay silent. Scoring "as of day
 * e" uses the model's own rule (it scores as of its observation end): the customer's purchases up
 * to e are shifted forward by (end - e), a whole number of days, so that e lands on the model's
 * observation end with the same history, ages and spend. On e = end nothing moves, so the last
 * past point is exactly the risk shown in the table. All days go to the model in one call.
 */
function riskOverTime(lines, id) {
  const end = state.observationEnd;
  const first = lines[0].t;
  const daysBack = Math.floor((end - first) / DAY);
  const ahead = 180;
  const step = Math.max(1, Math.ceil((daysBack + ahead) / 240));
  const offsets = []; // whole days before the end (negative: after it)
  for (let k = daysBack; k > 0; k -= step) offsets.push(k);
  offsets.push(0);
  for (let k = step; k <= ahead; k += step) offsets.push(-k);
  const customer = [], time = [], amount = [];
  const withAmounts = lines.every((l) => Number.isFinite(l.amount));
  for (const k of offsets) {
    const asOf = end - k * DAY;
    for (const l of lines) {
      if (l.t > asOf) break;
      customer.push(`${id}@${k}`);
      time.push(l.t + k * DAY);
      if (withAmounts) amount.push(l.amount);
    }
  }
  const shifted = regulars.Transactions.fromColumns(withAmounts ? { customer, time, amount } : { customer, time });
  try {
    const scores = state.churn.score(shifted);
    const index = new Map(scores.customers.map((c, i) => [c, i]));
    const risk = scores.risk, alive = scores.probabilityAlive;
    return offsets
      .filter((k) => index.has(`${id}@${k}`))
      .map((k) => {
        const i = index.get(`${id}@${k}`);
        return { time: end - k * DAY, risk: risk[i], probabilityAlive: alive[i], future: k < 0 };
      });
  } finally {
    shifted.free?.();
  }
}

async function customer({ customerId: id }) {
  if (!state) throw new Error("no data loaded yet");
  const c = state.byId.get(id);
  if (!c) throw new Error(`unknown customer '${id}'`);
  const lines = state.history.get(key(id)) ?? [];
  // Orders: lines grouped by calendar day, as the models count them.
  const orders = [];
  for (const l of lines) {
    const day = Math.floor(l.t / DAY) * DAY;
    let o = orders[orders.length - 1];
    if (!o || o.day !== day) orders.push((o = { day, amount: 0, items: [] }));
    if (Number.isFinite(l.amount)) o.amount += l.amount;
    if (l.item) o.items.push(state.names.get(l.item) ?? l.item);
  }
  const recommended = !state.rec ? [] : state.rec.recommend(id, { k: ANALYSIS.k }).map(({ item, score }) => {
    let because = [];
    try {
      because = state.rec.explain(id, item).filter((e) => e.contribution > 0).slice(0, 2).map((e) => e.item);
    } catch { because = []; }
    return { item, name: state.names.get(item) ?? item, score, because: because.map((b) => state.names.get(b) ?? b) };
  });
  const { ranking } = state.ranker.rank({ customer: id, risk: c.risk, clv: c.clv, segment: c.segment, orderValue: c.orderValue });
  return {
    customer: c,
    orders,
    overTime: lines.length ? riskOverTime(lines, id) : [],
    recommended,
    recommendationsUnavailable: state.rec ? null : state.recError,
    offers: ranking.map((r) => ({ offer: r.offer, label: state.offerLabels[r.offer] ?? r.offer, probability: r.probability, expectedValue: r.expectedValue, reason: r.reason })),
  };
}

async function simulate({ rounds = 3000, seed = 11 }) {
  if (!state) throw new Error("no data loaded yet");
  const Simulator = Reflect.get(regulars, "OfferSimulator");
  if (typeof Simulator === "function") return simulateWithPackage(Simulator, rounds, seed);
  const opts = rankerOptions(seed);
  const ranker = new regulars.OfferRanker(opts);
  const result = simulateCampaign({
    customers: state.customers,
    rounds,
    seed,
    marginRate: opts.marginRate,
    rankWith: (ctx) => ranker.rank(ctx),
    rewardWith: (eventId, reward) => ranker.reward(eventId, reward),
    onProgress: (f) => progress("Simulating the campaign", f),
  });
  ranker.free?.();
  progress("Ready", 1);
  return { source: "demo", offers: OFFERS.map((o) => o.id), labels: offerLabels(opts), ...result };
}

/**
 * The campaign on the package's simulated shop (OfferSimulator: true effects known, so the best
 * possible policy is known too), run in slices to draw the learning curve. The rewards are
 * expected margins; "always 10 % off" is the simulator's fixed p10 policy. Then the trained
 * ranker picks an offer for each of this shop's customers (the mix chart).
 */
function simulateWithPackage(Simulator, rounds, seed) {
  const simulator = new Simulator({ seed });
  const options = simulator.rankerOptions(seed);
  const ranker = new regulars.OfferRanker(options);
  const tenPercent = options.offers.find((o) => o.kind === "percent_off" && o.value === 10)?.id;
  const policies = ["ranker", "none", ...(tenPercent ? ["pct10"] : []), "oracle"];
  const total = Object.fromEntries(policies.map((p) => [p, 0]));
  const curve = Object.fromEntries(policies.map((p) => [p, []]));
  const slices = 30;
  let done = 0;
  for (let i = 1; i <= slices; i++) {
    const n = Math.round((rounds * i) / slices) - done;
    if (n <= 0) continue;
    const report = simulator.run(ranker, n);
    done += n;
    total.ranker += report.ranker;
    total.none += report.none;
    total.oracle += report.oracle;
    if (tenPercent) total.pct10 += report.fixed[tenPercent];
    for (const p of policies) curve[p].push({ round: done, profitPerContact: total[p] / done });
    progress("Simulating the campaign", i / slices);
  }
  const chosenLate = {};
  for (const c of state.customers.slice(0, 500)) {
    const { ranking } = ranker.rank({ customer: c.id, risk: c.risk, clv: c.clv, segment: c.segment, orderValue: c.orderValue });
    chosenLate[ranking[0].offer] = (chosenLate[ranking[0].offer] ?? 0) + 1;
  }
  ranker.free?.();
  simulator.free?.();
  progress("Ready", 1);
  const captured = total.oracle > total.none ? (total.ranker - total.none) / (total.oracle - total.none) : null;
  return {
    source: "package", rounds: done, policies, total, curve, chosenLate, captured,
    offers: options.offers.map((o) => o.id), labels: offerLabels(options),
    mixCustomers: Math.min(500, state.customers.length),
  };
}

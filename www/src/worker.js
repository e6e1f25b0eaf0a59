// The demo's Web Worker: every call into the regulars package happens here, off the page's main
// thread. Messages in: {id, type: "analyse" | "customer" | "simulate", ...}; messages out:
// {type: "progress", stage, fraction}, and {id, type: "result", value} or {id, type: "error", message}.
import init, * as regulars from "regulars";
import { parseCsv, parseTime } from "./csv.js";
import { rankerOptions, simulateCampaign, OFFERS } from "./offers.js";
import { ANALYSIS } from "./sample.js";

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

/** Purchase history per customer, read from the same CSV with the same mapping, for display. */
function histories(text, mapping) {
  const rows = parseCsv(text);
  const header = rows[0] ?? [];
  const col = (name) => (name ? header.indexOf(name) : -1);
  const [ci, ti, ai, ii, qi, pi, vi] = ["customer", "time", "amount", "item", "quantity", "price", "invoice"].map((k) => col(mapping[k]));
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
    byCustomer.get(k).push({ t, amount, item: ii >= 0 ? row[ii]?.trim() : "", quantity: qi >= 0 ? parseFloat(row[qi]) : NaN });
  }
  for (const list of byCustomer.values()) list.sort((a, b) => a.t - b.t);
  return byCustomer;
}

async function analyse({ text, mapping, horizon = ANALYSIS.horizon, seed = ANALYSIS.seed }) {
  if (state) for (const k of ["tx", "summary", "churn", "rec", "ranker"]) state[k]?.free?.();
  state = null;
  progress("Reading orders", 0.02);
  await tick();
  const tx = regulars.Transactions.fromCsv(text, mapping);
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
  progress("Learning which products go together", 0.5);
  await tick();
  const rec = regulars.Recommender.fit(tx, {
    ...ANALYSIS.recommender,
    seed,
    onProgress: (f) => progress("Learning which products go together", 0.5 + 0.4 * f),
  });
  progress("Preparing offers", 0.92);
  await tick();
  const ranker = new regulars.OfferRanker(rankerOptions(seed));
  const history = histories(typeof text === "string" ? text : new TextDecoder().decode(text), mapping);

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
  state = { tx, summary, churn, rec, ranker, history, customers, byId: new Map(customers.map((c) => [c.id, c])), horizon, seed };
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

/** P(alive) through the customer's life: for each day d, the summary the model would have seen
 *  with the observation period ending on d (repeat purchases so far, recency, age), scored by the
 *  same churn model; continued past today to show where the customer is heading. */
function aliveOverTime(lines, id) {
  const days = [...new Set(lines.map((l) => Math.floor(l.t / DAY)))].sort((a, b) => a - b);
  const first = days[0];
  const today = Math.floor(state.byId.get(id).age + first);
  const end = today + 180;
  const step = Math.max(1, Math.ceil((end - first) / 240));
  const points = [];
  for (let d = first; d <= end; d += step) points.push(d);
  if (points[points.length - 1] !== today) points.push(today);
  points.sort((a, b) => a - b);
  const frequency = [], recency = [], T = [], monetary = [];
  const c = state.byId.get(id);
  // Mean repeat spend for the rows with repeat purchases (the spend model needs it positive).
  const spend = c.monetary > 0 ? c.monetary : c.orderValue > 0 ? c.orderValue : 1;
  for (const d of points) {
    let x = 0, last = first;
    for (const p of days) if (p <= d) { if (p > first) x++; last = p; }
    frequency.push(x);
    recency.push(last - first);
    T.push(d - first);
    monetary.push(x > 0 ? spend : 0);
  }
  const synthetic = regulars.Summary.fromColumns({ customer: points.map((d) => `${id}@${d}`), frequency, recency, T, monetary });
  let alive;
  try {
    alive = state.churn.score(synthetic).probabilityAlive;
  } catch {
    alive = regulars.ModifiedBetaGeo.fit(state.summary).probabilityAlive(synthetic);
  }
  synthetic.free?.();
  return points.map((d, i) => ({ time: d * DAY, probabilityAlive: alive[i], future: d > today }));
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
    if (l.item) o.items.push(l.item);
  }
  const recommended = state.rec.recommend(id, { k: ANALYSIS.k }).map(({ item, score }) => {
    let because = [];
    try {
      because = state.rec.explain(id, item).filter((e) => e.contribution > 0).slice(0, 2).map((e) => e.item);
    } catch { because = []; }
    return { item, score, because };
  });
  const { ranking } = state.ranker.rank({ customer: id, risk: c.risk, clv: c.clv, segment: c.segment, orderValue: c.orderValue });
  return {
    customer: c,
    orders,
    alive: lines.length ? aliveOverTime(lines, id) : [],
    recommended,
    offers: ranking.map((r) => ({ offer: r.offer, probability: r.probability, expectedValue: r.expectedValue, reason: r.reason })),
  };
}

async function simulate({ rounds = 3000, seed = 11 }) {
  if (!state) throw new Error("no data loaded yet");
  const opts = rankerOptions(seed);
  // The package's own simulator, when it has one: adapt its answer to the view's shape here.
  const simulateOffers = Reflect.get(regulars, "simulateOffers");
  if (typeof simulateOffers === "function") {
    try {
      const out = simulateOffers({ rounds, seed, offers: opts.offers, margin: opts.margin, customers: state.customers.length });
      if (out && out.curve && out.total) return { source: "package", ...plain(out) };
    } catch (err) {
      console.warn("simulateOffers failed, using the demo simulator:", err?.message ?? err);
    }
  }
  const ranker = new regulars.OfferRanker(opts);
  const result = simulateCampaign({
    customers: state.customers,
    rounds,
    seed,
    margin: opts.margin,
    rankWith: (ctx) => ranker.rank(ctx),
    rewardWith: (eventId, reward) => ranker.reward(eventId, reward),
    onProgress: (f) => progress("Simulating the campaign", f),
  });
  ranker.free?.();
  progress("Ready", 1);
  return { source: "demo", offers: OFFERS.map((o) => o.id), ...result };
}

// The demo page: talks to the worker (all package calls happen there), draws the views.
import {
  Chart, BarController, BarElement, LineController, LineElement, PointElement,
  CategoryScale, LinearScale, Tooltip, Legend, Filler, Title,
} from "chart.js";
import { parseCsv, guessMapping } from "./csv.js";
import { money, percent, count, date, days, escapeHtml, setCurrency } from "./format.js";
import { SEGMENTS, segmentColor, segmentOrder } from "./segments.js";
import { offerLabel } from "./offers.js";
import { SAMPLE } from "./sample.js";

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend, Filler, Title);
Chart.defaults.animation = false;
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
Chart.defaults.color = "#5d6b7e";
Chart.defaults.maintainAspectRatio = false;


const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// ---- worker calls -------------------------------------------------------------------------
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const pending = new Map();
let nextId = 1;
worker.onmessage = ({ data }) => {
  if (data.type === "progress") return showProgress(data.stage, data.fraction);
  const p = pending.get(data.id);
  if (!p) return;
  pending.delete(data.id);
  if (data.type === "error") p.reject(new Error(data.message));
  else p.resolve(data.value);
};
worker.onerror = (e) => showError(`The analysis stopped: ${e.message ?? "worker error"}`);
function call(type, args = {}, transfer = []) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, type, ...args }, transfer);
  });
}

// ---- status bar ---------------------------------------------------------------------------
function showProgress(stage, fraction) {
  const box = $(".progress");
  box.hidden = fraction >= 1;
  $(".progress-label").textContent = stage;
  $(".progress .fill").style.width = `${Math.round(fraction * 100)}%`;
  $(".progress .bar").setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
}
function showError(message) {
  const box = $(".error");
  box.hidden = !message;
  box.textContent = message ?? "";
}

// ---- routing ------------------------------------------------------------------------------
function route() {
  const [view, arg] = (location.hash.slice(1) || "overview").split("/");
  const name = ["overview", "at-risk", "customer", "offers", "data"].includes(view) ? view : "overview";
  for (const b of $$(".tabs button")) b.setAttribute("aria-selected", String(b.dataset.view === name));
  for (const s of $$(".view")) s.hidden = s.id !== `view-${name}`;
  if (name === "customer" && arg) openCustomer(decodeURIComponent(arg));
  if (name === "offers" && app.data && !app.simulated) runSimulation();
}
for (const b of $$(".tabs button")) b.addEventListener("click", () => {
  const target = b.dataset.view === "customer" && app.customerId ? `customer/${encodeURIComponent(app.customerId)}` : b.dataset.view;
  location.hash = target;
});
document.addEventListener("click", (e) => {
  const link = e.target.closest("[data-goto]");
  if (link) { e.preventDefault(); location.hash = link.dataset.goto; }
});
window.addEventListener("hashchange", route);

// ---- state --------------------------------------------------------------------------------
const app = { data: null, charts: {}, sort: { key: "valueAtRisk", dir: -1 }, customerId: null, simulated: false, source: null };

function chart(id, config) {
  app.charts[id]?.destroy();
  app.charts[id] = new Chart(document.getElementById(id), config);
  return app.charts[id];
}

// ---- loading data -------------------------------------------------------------------------
async function analyse(text, mapping, sourceName, currency) {
  showError(null);
  document.body.dataset.state = "loading";
  $("[data-testid=source]").textContent = `Analysing ${sourceName}…`;
  setCurrency(currency);
  try {
    const data = await call("analyse", { text, mapping, currency });
    for (const c of data.customers) c.valueAtRisk = c.risk * c.clv;
    app.data = data;
    app.source = sourceName;
    app.currency = currency;
    app.simulated = false;
    app.customerId = null;
    renderSource();
    renderReport(data.report);
    renderOverview();
    renderRiskTable();
    renderCustomerPicker();
    $("#customer-detail").hidden = true;
    $("#customer-empty").hidden = false;
    document.body.dataset.state = "ready";
    route();
    return data;
  } catch (err) {
    document.body.dataset.state = "error";
    showProgress("", 1);
    showError(`Could not analyse ${sourceName}: ${err.message}`);
    if (app.data) {
      setCurrency(app.currency);
      renderSource();
      document.body.dataset.state = "ready";
    } else {
      $("[data-testid=source]").textContent = "No data loaded.";
    }
    throw err;
  }
}

async function loadSample() {
  const res = await fetch(SAMPLE.url);
  if (!res.ok) throw new Error(`sample not found (${res.status})`);
  const text = await res.text();
  return analyse(text, SAMPLE.mapping, SAMPLE.name, SAMPLE.currency);
}

function renderSource() {
  const d = app.data;
  $("[data-testid=source]").innerHTML =
    `Showing: <b>${escapeHtml(app.source)}</b> — <span data-testid="source-customers">${count(d.customerCount)}</span> customers, ` +
    `${count(d.length)} order lines, ${count(d.itemCount)} products.`;
}

function renderReport(report) {
  const dropped = Object.entries(report.dropped ?? {}).sort((a, b) => b[1] - a[1]);
  $("#import-report").innerHTML = `
    <table class="data compact">
      <tr><th>Lines read</th><td class="num" data-testid="report-rows">${count(report.rows)}</td></tr>
      <tr><th>Lines kept</th><td class="num" data-testid="report-kept">${count(report.kept)}</td></tr>
      <tr><th>Lines left out</th><td class="num">${count(report.rows - report.kept)}</td></tr>
    </table>
    ${dropped.length ? `<h3 style="margin-top:14px">Why lines were left out</h3>
    <table class="data compact" data-testid="report-dropped">
      ${dropped.map(([reason, n]) => `<tr><td>${escapeHtml(reason)}</td><td class="num">${count(n)}</td></tr>`).join("")}
    </table>` : `<p class="hint">Nothing was left out.</p>`}`;
}

// ---- overview -----------------------------------------------------------------------------
function kpi(value, label, testid) {
  return `<div class="kpi"${testid ? ` data-testid="${testid}"` : ""}><div class="value">${value}</div><div class="label">${label}</div></div>`;
}

function renderOverview() {
  const { customers, measures, horizon } = app.data;
  const revenue = customers.reduce((s, c) => s + c.spend, 0);
  const lapsing = customers.filter((c) => c.risk >= 0.5).length;
  const expected = customers.reduce((s, c) => s + c.expectedPurchases, 0);
  const clv = customers.reduce((s, c) => s + c.clv, 0);
  const repeat = measures?.repeatPurchaseRate ?? customers.filter((c) => c.orders > 1).length / customers.length;
  $("[data-testid=kpis]").innerHTML = [
    kpi(count(customers.length), "customers", "kpi-customers"),
    kpi(money(revenue), "revenue so far", "kpi-revenue"),
    kpi(percent(repeat, 0), "came back for a second order", "kpi-repeat"),
    measures ? kpi(percent(measures.top20RevenueShare, 0), "of revenue from the top 20 % of customers", "kpi-top20") : "",
    kpi(count(lapsing), `likely to lapse (risk ≥ 50 %)`, "kpi-lapsing"),
    kpi(count(expected), `orders expected in the next ${horizon} days`, "kpi-expected"),
    kpi(money(clv), "all customers' predicted spend, next 12 months (CLV)", "kpi-clv"),
  ].join("");
  const how = app.data.churnMethod;
  $("[data-testid=risk-hint]").textContent = `Risk = the chance a customer places no order in the next ${horizon} days` +
    (how?.method === "supervised" ? `, from a buy-till-you-die model corrected by what this shop's history teaches (checked on ${count(how.heldOut)} held-out customers).`
      : how?.method === "btyd" ? ", from a buy-till-you-die model (BG/NBD) of this shop's history." : ".");

  const bySegment = new Map();
  for (const c of customers) {
    const s = bySegment.get(c.segment) ?? { n: 0, revenue: 0, risk: 0 };
    s.n++; s.revenue += c.spend; s.risk += c.risk;
    bySegment.set(c.segment, s);
  }
  const names = [...bySegment.keys()].sort((a, b) => segmentOrder(a) - segmentOrder(b));
  const colors = names.map(segmentColor);
  const barOptions = (fmt) => ({
    indexAxis: "y",
    plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => fmt(ctx.parsed.x) } } },
    scales: { x: { ticks: { callback: (v) => fmt(v) }, grid: { color: "#eef1f5" } }, y: { grid: { display: false } } },
  });
  chart("chart-segments-count", {
    type: "bar",
    data: { labels: names, datasets: [{ label: "Customers", data: names.map((n) => bySegment.get(n).n), backgroundColor: colors }] },
    options: barOptions(count),
  });
  chart("chart-segments-revenue", {
    type: "bar",
    data: { labels: names, datasets: [{ label: "Revenue", data: names.map((n) => bySegment.get(n).revenue), backgroundColor: colors }] },
    options: barOptions((v) => money(v)),
  });

  const bins = new Array(10).fill(0);
  for (const c of customers) bins[Math.min(9, Math.floor(c.risk * 10))]++;
  chart("chart-risk", {
    type: "bar",
    data: {
      labels: bins.map((_, i) => `${i * 10}–${i * 10 + 10} %`),
      datasets: [{ label: "Customers", data: bins, backgroundColor: bins.map((_, i) => `hsl(${120 - i * 12}, 55%, 48%)`) }],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: { x: { title: { display: true, text: "Risk of lapsing" }, grid: { display: false } }, y: { title: { display: true, text: "Customers" }, grid: { color: "#eef1f5" } } },
    },
  });

  const periods = (app.data.retention ?? []).filter((p) => p.retentionRate != null);
  $("#retention-card").hidden = periods.length === 0;
  if (periods.length) {
    chart("chart-retention", {
      type: "line",
      data: {
        labels: periods.map((p) => new Date(p.start).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "2-digit", timeZone: "UTC" })),
        datasets: [
          { label: "Retention rate", data: periods.map((p) => p.retentionRate / 100), borderColor: "#2f6fde", backgroundColor: "#2f6fde", yAxisID: "y", tension: 0 },
          { type: "bar", label: "New customers", data: periods.map((p) => p.newCustomers), backgroundColor: "#b9dfa0", yAxisID: "y2" },
        ],
      },
      options: {
        plugins: { tooltip: { callbacks: { title: (items) => `${date(periods[items[0].dataIndex].start)} – ${date(periods[items[0].dataIndex].end)}`, label: (ctx) => ctx.dataset.yAxisID === "y" ? `Retention rate: ${percent(ctx.parsed.y, 0)}` : `New customers: ${count(ctx.parsed.y)}` } } },
        scales: {
          y: { min: 0, ticks: { callback: (v) => percent(v, 0) }, grid: { color: "#eef1f5" }, title: { display: true, text: "Retention rate" } },
          y2: { position: "right", grid: { display: false }, title: { display: true, text: "New customers" } },
          x: { grid: { display: false } },
        },
      },
    });
  }

  const advice = Object.fromEntries(SEGMENTS.map(([n, , a]) => [n, a]));
  $("[data-testid=segment-table]").innerHTML =
    `<tr><th>Segment</th><th class="num">Customers</th><th class="num">Revenue</th><th class="num">Avg. risk</th><th>What to do</th></tr>` +
    names.map((n) => {
      const s = bySegment.get(n);
      return `<tr data-segment="${escapeHtml(n)}"><td><span class="swatch" style="background:${segmentColor(n)}"></span>${escapeHtml(n)}</td>` +
        `<td class="num">${count(s.n)}</td><td class="num">${money(s.revenue)}</td><td class="num">${percent(s.risk / s.n, 0)}</td>` +
        `<td>${escapeHtml(advice[n] ?? "")}</td></tr>`;
    }).join("");
}

// ---- customers at risk --------------------------------------------------------------------
function renderRiskTable() {
  const select = $("#risk-segment");
  const present = [...new Set(app.data.customers.map((c) => c.segment))].sort((a, b) => segmentOrder(a) - segmentOrder(b));
  select.innerHTML = `<option value="">All segments</option>` + present.map((s) => `<option>${escapeHtml(s)}</option>`).join("");
  drawRiskRows();
}
function drawRiskRows() {
  const { key, dir } = app.sort;
  const segment = $("#risk-segment").value;
  const limit = Number($("#risk-limit").value);
  let rows = app.data.customers.filter((c) => !segment || c.segment === segment);
  const total = rows.length;
  rows = rows.slice().sort((a, b) => {
    const x = a[key], y = b[key];
    const cmp = typeof x === "string" ? x.localeCompare(y, "en", { numeric: true }) : x - y;
    return dir * cmp || a.id.localeCompare(b.id, "en", { numeric: true });
  });
  if (limit > 0) rows = rows.slice(0, limit);
  for (const th of $$("[data-testid=risk-table] th")) {
    th.setAttribute("aria-sort", th.dataset.key === key ? (dir > 0 ? "ascending" : "descending") : "none");
  }
  $("[data-testid=risk-count]").textContent = `${count(rows.length)} of ${count(total)} customers`;
  $("[data-testid=risk-table] tbody").innerHTML = rows.map((c) => `
    <tr data-customer="${escapeHtml(c.id)}">
      <td>${escapeHtml(c.id)}</td>
      <td><span class="swatch" style="background:${segmentColor(c.segment)}"></span>${escapeHtml(c.segment)}</td>
      <td class="num" data-col="risk">${percent(c.risk)}<span class="risk-bar" style="width:${Math.round(c.risk * 40)}px;background:hsl(${120 - c.risk * 120},55%,48%)"></span></td>
      <td class="num" data-col="alive">${percent(c.probabilityAlive)}</td>
      <td class="num" data-col="clv">${money(c.clv)}</td>
      <td class="num">${money(c.valueAtRisk)}</td>
      <td class="num">${count(c.orders)}</td>
      <td class="num">${days(c.daysSinceLast)}</td>
    </tr>`).join("");
}
$("[data-testid=risk-table] thead").addEventListener("click", (e) => {
  const th = e.target.closest("th");
  if (!th) return;
  const key = th.dataset.key;
  app.sort = { key, dir: app.sort.key === key ? -app.sort.dir : key === "id" || key === "segment" ? 1 : -1 };
  drawRiskRows();
});
$("[data-testid=risk-table] tbody").addEventListener("click", (e) => {
  const tr = e.target.closest("tr[data-customer]");
  if (tr) location.hash = `customer/${encodeURIComponent(tr.dataset.customer)}`;
});
$("#risk-segment").addEventListener("change", drawRiskRows);
$("#risk-download").addEventListener("click", () => {
  const segment = $("#risk-segment").value;
  const rows = app.data.customers.filter((c) => !segment || c.segment === segment).slice()
    .sort((a, b) => app.sort.dir * (typeof a[app.sort.key] === "string" ? a[app.sort.key].localeCompare(b[app.sort.key]) : a[app.sort.key] - b[app.sort.key]));
  const quote = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const lines = [["customer", "segment", "risk", "probability_alive", "clv", "value_at_risk", "orders", "days_since_last_order"].join(",")]
    .concat(rows.map((c) => [c.id, c.segment, c.risk.toFixed(4), c.probabilityAlive.toFixed(4), c.clv.toFixed(2), c.valueAtRisk.toFixed(2), c.orders, c.daysSinceLast].map(quote).join(",")));
  const url = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: "customers-at-risk.csv" });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});
$("#risk-limit").addEventListener("change", drawRiskRows);

// ---- customer view ------------------------------------------------------------------------
function renderCustomerPicker() {
  $("#customer-ids").innerHTML = app.data.customers.slice(0, 5000).map((c) => `<option value="${escapeHtml(c.id)}"></option>`).join("");
}
const openFromSearch = () => {
  const id = $("#customer-search").value.trim();
  if (id) location.hash = `customer/${encodeURIComponent(id)}`;
};
$("#customer-open").addEventListener("click", openFromSearch);
$("#customer-search").addEventListener("keydown", (e) => { if (e.key === "Enter") openFromSearch(); });

async function openCustomer(id) {
  if (!app.data) return;
  app.customerId = id;
  $("#customer-search").value = id;
  let view;
  try {
    view = await call("customer", { customerId: id });
  } catch (err) {
    showError(`Could not open customer ${id}: ${err.message}`);
    return;
  }
  if (app.customerId !== id) return; // a newer request won
  showError(null);
  const c = view.customer;
  $("#customer-empty").hidden = true;
  $("#customer-detail").hidden = false;
  $("[data-testid=customer-title]").innerHTML =
    `Customer ${escapeHtml(c.id)} <span class="pill" style="background:${segmentColor(c.segment)}22">${escapeHtml(c.segment)}</span>`;
  $("[data-testid=customer-kpis]").innerHTML = [
    kpi(percent(c.risk), "risk of lapsing", "customer-risk"),
    kpi(percent(c.probabilityAlive), "still a customer", "customer-alive"),
    kpi(money(c.clv), "predicted spend, next 12 months (CLV)", "customer-clv"),
    kpi(count(c.orders), "orders"),
    kpi(money(c.spend), "spent so far"),
    kpi(days(c.daysSinceLast), "since the last order"),
  ].join("");

  chart("chart-history", {
    type: "bar",
    data: { datasets: [{ label: "Order value", data: view.orders.map((o) => ({ x: o.day, y: o.amount })), backgroundColor: "#2f6fde", barThickness: 6 }] },
    options: {
      plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => date(items[0].parsed.x), label: (ctx) => money(ctx.parsed.y, 2) } } },
      scales: {
        x: { type: "linear", ticks: { callback: (v) => date(v), maxTicksLimit: 6 }, grid: { display: false } },
        y: { ticks: { callback: (v) => money(v, Math.abs(v) < 10 && v !== 0 ? 2 : 0) }, grid: { color: "#eef1f5" } },
      },
    },
  });
  const past = view.overTime.filter((p) => !p.future);
  const future = view.overTime.filter((p) => p.future);
  if (past.length && future.length) future.unshift(past[past.length - 1]);
  const points = (list, key) => list.map((p) => ({ x: p.time, y: p[key] }));
  chart("chart-alive", {
    type: "line",
    data: {
      datasets: [
        { label: "Risk of lapsing", data: points(past, "risk"), borderColor: "#d2473d", backgroundColor: "#d2473d18", fill: true, pointRadius: 0, borderWidth: 2 },
        { label: "… if they stay silent", data: points(future, "risk"), borderColor: "#d2473d", borderDash: [6, 4], pointRadius: 0, borderWidth: 2 },
        { label: "Still a customer (P(alive))", data: points(view.overTime, "probabilityAlive"), borderColor: "#2f6fde", pointRadius: 0, borderWidth: 1.5 },
      ],
    },
    options: {
      plugins: { tooltip: { mode: "index", intersect: false, callbacks: { title: (items) => date(items[0].parsed.x), label: (ctx) => `${ctx.dataset.label}: ${percent(ctx.parsed.y)}` } } },
      scales: {
        x: { type: "linear", ticks: { callback: (v) => date(v), maxTicksLimit: 6 }, grid: { display: false } },
        y: { min: 0, max: 1, ticks: { callback: (v) => percent(v, 0) }, grid: { color: "#eef1f5" } },
      },
    },
  });
  const today = past[past.length - 1];
  $("#chart-alive").closest(".chart").dataset.riskToday = today ? String(today.risk) : "";
  $("[data-testid=order-table]").innerHTML =
    `<tr><th>Date</th><th class="num">Amount</th><th>Items</th></tr>` +
    view.orders.slice().reverse().map((o) => `<tr><td>${date(o.day)}</td><td class="num">${money(o.amount, 2)}</td>` +
      `<td>${escapeHtml(o.items.slice(0, 3).join(", ").toLowerCase())}${o.items.length > 3 ? ` and ${o.items.length - 3} more` : ""}</td></tr>`).join("");

  renderEmail(c, view);
  $("[data-testid=offer-table]").innerHTML =
    `<tr><th>Offer</th><th class="num">Expected value</th><th class="num">Shown first</th><th>Why</th></tr>` +
    view.offers.map((o, i) => `<tr data-offer="${escapeHtml(o.offer)}"${i === 0 ? ' style="font-weight:600"' : ""}><td>${escapeHtml(o.label ?? offerLabel(o.offer))}</td>` +
      `<td class="num">${money(o.expectedValue, 2)}</td><td class="num">${percent(o.probability, 0)}</td><td class="hint" style="margin:0">${escapeHtml(o.reason ?? "")}</td></tr>`).join("");
}

function renderEmail(c, view) {
  const best = view.offers[0];
  const lapsing = c.risk >= 0.5;
  const offerText = best && best.offer !== "none" ? best.label ?? offerLabel(best.offer) : null;
  const subject = lapsing
    ? offerText ? `We miss you: ${offerText.toLowerCase()}` : "We miss you — here is what's new"
    : offerText ? `Picked for you, with ${offerText.toLowerCase()}` : "Picked for you";
  const intro = lapsing
    ? "It has been a while since your last order, and we wanted to say hello. Here are a few things we think you'll like."
    : "Thank you for shopping with us. Based on what you bought, we picked a few things you may like.";
  const products = view.recommended.slice(0, 6).map((r) => `
    <div class="product" data-item="${escapeHtml(r.item)}"><div class="name">${escapeHtml((r.name ?? r.item).toLowerCase())}</div>
      ${r.because.length ? `<div class="why">Because you bought ${r.because.map((b) => escapeHtml(b.toLowerCase())).join(" and ")}</div>` : `<div class="why">Popular with our customers</div>`}
    </div>`).join("");
  $(".email-frame").innerHTML = `
    <div class="email-meta"><div>To: <b>customer ${escapeHtml(c.id)}</b></div><div>Subject: <b data-testid="email-subject">${escapeHtml(subject)}</b></div></div>
    <div class="email-body">
      <p>Hello,</p>
      <p>${intro}</p>
      ${offerText ? `<div class="email-offer" data-testid="email-offer">${escapeHtml(offerText)}</div>` : ""}
      ${view.recommendationsUnavailable ? `<p class="hint">(No product suggestions: ${escapeHtml(view.recommendationsUnavailable)}.)</p>` : `<div class="email-products" data-testid="email-products">${products}</div>`}
      <p>See you soon,<br />The shop team</p>
    </div>`;
}

// ---- offers view --------------------------------------------------------------------------
const POLICY = {
  ranker: ["Learning ranker", "#2f6fde"],
  none: ["No offer", "#8a8f99"],
  pct10: ["Always 10 % off", "#e5793b"],
  oracle: ["Best possible (knows the true effects)", "#2e9e62"],
};
async function runSimulation() {
  if (!app.data) return;
  app.simulated = true;
  const btn = $("#sim-run");
  btn.disabled = true;
  try {
    const rounds = Number($("#sim-rounds").value);
    const r = await call("simulate", { rounds, seed: 11 });
    $("#sim-source").textContent = r.source === "package"
      ? "A simulated shop (the package's OfferSimulator) whose customers' true reactions to each offer are known."
      : "Simulated responses: the demo's simple customer model (see offers.js).";
    const label = (p) => POLICY[p]?.[0] ?? p;
    $("[data-testid=sim-kpis]").innerHTML = r.policies.map((p) => kpi(
      `${money(r.total[p] / r.rounds, 2)}`,
      `${label(p)}: profit per customer contacted` +
        (r.orders ? ` (${count(r.orders[p])} orders, ${money(r.spentOnOffers[p])} spent on offers)` : ` (${money(r.total[p])} in all)`),
      `sim-${p}`)).join("") +
      (r.captured != null ? kpi(percent(r.captured, 0), "of the possible gain over “no offer” captured by the ranker while learning", "sim-captured") : "");
    chart("chart-sim", {
      type: "line",
      data: {
        datasets: r.policies.map((p) => ({
          label: POLICY[p]?.[0] ?? p, data: r.curve[p].map((pt) => ({ x: pt.round, y: pt.profitPerContact })),
          borderColor: POLICY[p]?.[1], backgroundColor: POLICY[p]?.[1], pointRadius: 0, borderWidth: 2,
        })),
      },
      options: {
        plugins: { title: { display: true, text: "Profit per customer contacted, as the campaign goes on" }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${money(ctx.parsed.y, 2)}` } } },
        scales: { x: { type: "linear", title: { display: true, text: "Customers contacted" } }, y: { ticks: { callback: (v) => money(v, 2) }, grid: { color: "#eef1f5" } } },
      },
    });
    const chosen = r.chosenLate ?? {};
    const offerName = (o) => r.labels?.[o] ?? offerLabel(o);
    const mix = [...new Set([...(r.offers ?? []), ...Object.keys(chosen)])].map((o) => [o, chosen[o] ?? 0]).sort((a, b) => b[1] - a[1]);
    chart("chart-sim-mix", {
      type: "bar",
      data: { labels: mix.map(([o]) => offerName(o)), datasets: [{ label: "Times chosen", data: mix.map(([, n]) => n), backgroundColor: "#2f6fde", maxBarThickness: 28 }] },
      options: {
        indexAxis: "y",
        plugins: { legend: { display: false }, title: { display: true, text: r.source === "package" ? `What the trained ranker would send ${count(r.mixCustomers)} of your customers` : "What the ranker chose in the last fifth of the campaign" } },
        scales: { x: { grid: { color: "#eef1f5" } }, y: { grid: { display: false } } },
      },
    });
    document.body.dataset.simulated = "yes";
  } catch (err) {
    showError(`The simulation failed: ${err.message}`);
  } finally {
    btn.disabled = false;
  }
}
$("#sim-run").addEventListener("click", runSimulation);

// ---- your own CSV -------------------------------------------------------------------------
const FIELDS = [
  ["customer", "Customer id", true],
  ["time", "Order date", true],
  ["item", "Product id", false],
  ["itemName", "Product name (for display)", false],
  ["quantity", "Quantity", false],
  ["price", "Unit price", false],
  ["amount", "Order amount", false],
  ["invoice", "Invoice number", false],
];
let upload = null;
async function takeFile(file) {
  if (!file) return;
  const text = await file.text();
  const rows = parseCsv(text, 6);
  if (rows.length < 2) {
    showError(`${file.name}: no rows found — is it a CSV file with a header line?`);
    return;
  }
  showError(null);
  const header = rows[0].map((h) => h.trim());
  const guess = guessMapping(header);
  upload = { name: file.name, text };
  const options = (sel) => `<option value="">— none —</option>` + header.map((h) => `<option${h === sel ? " selected" : ""}>${escapeHtml(h)}</option>`).join("");
  $(".mapping-grid").innerHTML = FIELDS.map(([k, label, required]) =>
    `<label for="map-${k}">${label}${required ? " *" : ""}</label><select id="map-${k}" data-field="${k}">${options(guess[k])}</select>`).join("");
  $(".preview").innerHTML = `<table><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>` +
    rows.slice(1).map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(v)}</td>`).join("")}</tr>`).join("") + `</table>`;
  $("#mapping").hidden = false;
}
$("#file").addEventListener("change", (e) => takeFile(e.target.files[0]));
const drop = $("#drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); takeFile(e.dataTransfer.files[0]); });
$("#analyse").addEventListener("click", async () => {
  if (!upload) return;
  const mapping = {};
  for (const s of $$(".mapping-grid select")) if (s.value) mapping[s.dataset.field] = s.value;
  if (!mapping.customer || !mapping.time) return showError("Choose the customer id and order date columns.");
  if (mapping.amount) { delete mapping.quantity; delete mapping.price; }
  try {
    await analyse(upload.text, mapping, upload.name, $("#currency").value);
  } catch { /* shown in the status bar */ }
});
$("#load-sample").addEventListener("click", () => loadSample().catch(() => {}));

// ---- start --------------------------------------------------------------------------------
route();
loadSample().catch((err) => showError(`Could not load the sample shop: ${err.message}`));

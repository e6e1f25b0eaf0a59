// The data API through the package: columns and CSV in, summaries and RFM out, errors as Errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { r, DAY, cdnowColumns, onlineRetailCsv, onlineRetailMapping, throwsError } from "./helpers.mjs";

const { Transactions, Summary } = r;

test("summary follows the BTYD conventions (hand-computed case)", () => {
  // Customer a buys on days 0 (twice: one transaction), 3 and 10; b on day 5. Calibration ends day 7.
  const tx = Transactions.fromColumns({
    customer: ["a", "a", "b", "a", "a"],
    time: [0, 0.5 * DAY, 5 * DAY, 3 * DAY + 100, 10 * DAY],
    amount: [1, 2, 7, 4, 6],
  });
  assert.equal(tx.length, 5);
  assert.equal(tx.customerCount, 2);
  const s = tx.summary({ calibrationEnd: 7 * DAY, observationEnd: 14 * DAY });
  assert.deepEqual(s.customers, ["a", "b"]);
  assert.deepEqual([...s.frequency], [1, 0]);
  assert.deepEqual([...s.recency], [3, 0]);
  assert.deepEqual([...s.T], [7, 2]);
  assert.deepEqual([...s.monetary], [4, 0]);
  assert.deepEqual([...s.holdoutFrequency], [1, 0]);
  assert.deepEqual([...s.holdoutMonetary], [6, 0]);
  assert.equal(s.holdoutDuration, 7);
  const weeks = tx.summary({ calibrationEnd: 7 * DAY, unit: "week" });
  assert.equal(weeks.T[0], 1);
});

test("rows in any order give the same summary", () => {
  const cols = cdnowColumns("CDNOW_sample.txt");
  const order = cols.customer.map((_, i) => i).reverse();
  const shuffled = Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, order.map((i) => v[i])]));
  const end = Date.UTC(1997, 8, 30);
  const a = Transactions.fromColumns(cols).summary({ calibrationEnd: end, unit: "week" });
  const b = Transactions.fromColumns(shuffled).summary({ calibrationEnd: end, unit: "week" });
  // Same rows per customer, whatever the input order (customers are listed in order of first appearance).
  const byCustomer = (s) => Object.fromEntries(s.customers.map((c, i) => [c, [s.frequency[i], s.recency[i], s.T[i], s.monetary[i]]]));
  assert.deepEqual(byCustomer(a), byCustomer(b));
  // The papers' numbers: 2,357 customers, 946 repeat buyers, T = 38.86 weeks for a 1997-01-01 buyer.
  assert.equal(a.customers.length, 2357);
  assert.equal([...a.frequency].filter((f) => f > 0).length, 946);
  assert.ok(Math.abs(Math.max(...a.T) - 272 / 7) < 1e-9);
});

test("Online Retail CSV: every row accounted for, drops by reason", () => {
  const tx = Transactions.fromCsv(onlineRetailCsv(), onlineRetailMapping);
  const { rows, kept, dropped } = tx.report;
  assert.equal(rows, 541909);
  assert.equal(kept + Object.values(dropped).reduce((a, b) => a + b, 0), rows);
  assert.ok(dropped["missing customer"] > 100000);
  assert.ok(dropped["cancellation"] > 5000);
  assert.ok(dropped["non-positive amount"] > 0);
  assert.ok(tx.customerCount > 4300 && tx.customerCount < 4400, `${tx.customerCount}`);
  const measures = tx.shopMeasures();
  // 80/20: the top fifth of customers bring most of the revenue, well above a fifth.
  assert.ok(measures.top20RevenueShare > 0.5 && measures.top20RevenueShare < 1);
  assert.ok(measures.repeatPurchaseRate > 0.5 && measures.repeatPurchaseRate < 0.8);
  const crr = tx.retentionRates(30);
  assert.ok(crr.length >= 11); // 12 complete 30-day periods; the first has no start
  for (const p of crr.filter((p) => p.retentionRate !== null)) {
    assert.ok(p.retentionRate >= 0 && p.retentionRate <= 100);
    assert.equal(p.customersAtEnd - p.newCustomers <= p.customersAtStart, true);
  }
});

test("RFM scores are quintiles and segments are the 11 names", () => {
  const cols = cdnowColumns("CDNOW_sample.txt");
  const s = Transactions.fromColumns(cols).summary();
  const rfm = s.rfm();
  assert.equal(rfm.r.length, s.customers.length);
  for (const scores of [rfm.r, rfm.f, rfm.m]) for (const x of scores) assert.ok(x >= 1 && x <= 5);
  const names = new Set(["Champions", "Loyal Customers", "Potential Loyalists", "New Customers", "Promising",
    "Need Attention", "About To Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost"]);
  for (const seg of rfm.segment) assert.ok(names.has(seg), seg);
  // Recency quintiles: about a fifth each (ties aside).
  const top = [...rfm.r].filter((x) => x === 5).length / rfm.r.length;
  assert.ok(top > 0.1 && top < 0.3, `${top}`);
  throwsError(assert, () => s.rfm({ bins: 1 }), /bins must be a whole number between 2 and 10/);
});

test("bad input throws an Error that names the problem, and the module keeps working", () => {
  const ok = { customer: ["a", "b"], time: [0, DAY], amount: [1, 2] };
  throwsError(assert, () => Transactions.fromColumns({ ...ok, amount: [1, NaN] }), /amount\[1\] is NaN/);
  throwsError(assert, () => Transactions.fromColumns({ ...ok, amount: [1, -2] }), /amount\[1\] is negative/);
  throwsError(assert, () => Transactions.fromColumns({ ...ok, time: [0, Infinity] }), /time\[1\] is Infinity/);
  throwsError(assert, () => Transactions.fromColumns({ ...ok, time: [0] }), /lengths differ/);
  throwsError(assert, () => Transactions.fromColumns({ customer: [], time: [] }), /empty/);
  throwsError(assert, () => Transactions.fromColumns({ ...ok, time: ["x", 1] }), /time\[0\] must be a number/);
  throwsError(assert, () => Transactions.fromColumns({ time: [1] }), /customer is required/);
  throwsError(assert, () => Transactions.fromColumns(42), /columns must be an object/);
  throwsError(assert, () => Transactions.fromCsv("a,b\n1,2\n", { customer: "c", time: "b" }), /'c'.*not in the header/);
  throwsError(assert, () => Transactions.fromCsv(new Uint8Array([0, 1, 2, 3]), { customer: "c", time: "b" }), /not text/);
  throwsError(assert, () => Transactions.fromCsv(42, { customer: "c", time: "b" }), /text must be a string/);
  throwsError(assert, () => Summary.fromColumns({ frequency: [1], recency: [2], T: [1] }), /recency\[0\].*greater than T/);
  throwsError(assert, () => Transactions.fromColumns(ok).summary({ unit: "month" }), /unit must be/);
  // Still usable.
  assert.equal(Transactions.fromColumns(ok).customerCount, 2);
});

test("fromCsv drops bad rows by reason and equals fromColumns", () => {
  const csv = "customer,time,amount\nx,2020-01-02,3.5\n,2020-01-01,1\ny,not a date,2\ny,2020-01-01,abc\nx,2020-01-01,2\n";
  const tx = Transactions.fromCsv(csv, { customer: "customer", time: "time", amount: "amount" });
  assert.deepEqual(tx.report, { rows: 5, kept: 2, dropped: { "missing customer": 1, "unparsable time": 1, "unparsable amount": 1 } });
  const base = Date.UTC(2020, 0, 1);
  const same = Transactions.fromColumns({ customer: ["x", "x"], time: [base + DAY, base], amount: [3.5, 2] });
  const a = tx.summary(), b = same.summary();
  assert.deepEqual([...a.frequency, ...a.recency, ...a.T, ...a.monetary], [...b.frequency, ...b.recency, ...b.T, ...b.monetary]);
});

// Shared helpers for the Node tests: the package (the tarball `make pack` writes, installed in a
// temporary project and imported by name from there, through its exports map) and the
// repository's data sets (tests/data/).
import { readFileSync } from "node:fs";
import { importInstalled } from "../../scripts/installed-package.mjs";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const r = await importInstalled();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function testData(relative) {
  return path.join(root, "tests/data", relative);
}

export const DAY = 86_400_000;

/** CDNOW file as columns: customer, time (UTC midnight of YYYYMMDD), amount. */
export function cdnowColumns(file) {
  const lines = readFileSync(testData(`cdnow/${file}`), "utf8").split(/\r?\n/);
  const master = file.includes("master");
  const customer = [], time = [], amount = [];
  for (const line of lines.slice(master ? 1 : 0)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const [id, date, dollars] = master ? [f[0], f[1], f[3]] : [f[1], f[2], f[4]];
    customer.push(id);
    time.push(Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8)));
    amount.push(+dollars);
  }
  return { customer, time, amount };
}

export function onlineRetailCsv() {
  return gunzipSync(readFileSync(testData("online-retail/online_retail.csv.gz")));
}

export const onlineRetailMapping = {
  customer: "CustomerID", time: "InvoiceDate", item: "StockCode", quantity: "Quantity", price: "UnitPrice",
};

/** Asserts that `fn` throws a JS Error whose message matches `pattern`. */
export function throwsError(assert, fn, pattern) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, `expected an Error, got ${e}`);
    assert.doesNotMatch(e.message, /unreachable|RuntimeError/);
    assert.match(e.message, pattern);
    return true;
  });
}

/**
 * Issue 3's Online Retail split, computed here independently of the package: train = purchases
 * before `splitTime` (customers with an id, positive quantity and price, not cancelled); test =
 * per training customer the items first bought on or after it (and known to training).
 */
export function onlineRetailSplit(splitTime) {
  const text = onlineRetailCsv().toString("utf8").split("\n");
  const header = text[0].split(",");
  const col = Object.fromEntries(header.map((h, i) => [h.trim(), i]));
  const train = { customer: [], time: [], item: [], quantity: [], amount: [] };
  const before = new Map(), after = new Map();
  for (const line of text.slice(1)) {
    if (!line) continue;
    // Descriptions may hold quoted commas: split on commas outside quotes.
    const f = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g).map((x) => x.replace(/,$/, ""));
    const customer = f[col.CustomerID].trim().replace(/\.0$/, "");
    const quantity = Number(f[col.Quantity]), price = Number(f[col.UnitPrice]);
    if (!customer || f[col.InvoiceNo].startsWith("C") || !(quantity > 0) || !(price > 0)) continue;
    const [d, t] = f[col.InvoiceDate].split(" ");
    const [y, m, day] = d.split("-").map(Number);
    const [hh, mm, ss] = t.split(":").map(Number);
    const time = Date.UTC(y, m - 1, day, hh, mm, ss);
    const item = f[col.StockCode].trim();
    const bucket = time < splitTime ? before : after;
    if (!bucket.has(customer)) bucket.set(customer, new Set());
    bucket.get(customer).add(item);
    if (time < splitTime) {
      train.customer.push(customer); train.time.push(time); train.item.push(item);
      train.quantity.push(quantity); train.amount.push(quantity * price);
    }
  }
  const trainItems = new Set(train.item);
  const test = [];
  for (const [customer, items] of before) {
    const fresh = [...(after.get(customer) ?? [])].filter((i) => !items.has(i) && trainItems.has(i));
    if (fresh.length) test.push([customer, new Set(fresh)]);
  }
  return { train: r.Transactions.fromColumns(train), test, history: before };
}


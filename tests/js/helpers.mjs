// Shared helpers for the Node tests: the package (imported by name, through its exports map) and
// the shared data sets.
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const r = await import("regulars");

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function sharedData(relative) {
  const beside = path.join(root, "../shared/data", relative);
  return existsSync(beside) ? beside : path.join("/work/shared/data", relative);
}

export const DAY = 86_400_000;

/** CDNOW file as columns: customer, time (UTC midnight of YYYYMMDD), amount. */
export function cdnowColumns(file) {
  const lines = readFileSync(sharedData(`cdnow/${file}`), "utf8").split(/\r?\n/);
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
  return gunzipSync(readFileSync(sharedData("online-retail/online_retail.csv.gz")));
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

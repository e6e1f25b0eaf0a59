// The Node half of `make test-spark`: what Spark wrote (tests/spark/run_spark.py, into
// target/spark-test/) against regulars itself, the installed tarball. The summaries must equal
// `tx.summary(...)` on every customer; the factor files must have the documented shapes and give
// the same top-10 by plain-JS dot products as numpy did on the same files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { r, onlineRetailCsv, onlineRetailMapping } from "../js/helpers.mjs";
import { loadSummary } from "../../spark/load-summary.mjs";
import { loadFactors } from "../../spark/load-factors.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const OUT = join(ROOT, "target/spark-test");
if (!existsSync(join(OUT, "numpy_top10.json"))) {
  throw new Error(`${OUT} has no Spark output: run \`make test-spark\` (it runs tests/spark/run_spark.py first)`);
}

const retail = r.Transactions.fromCsv(onlineRetailCsv(), onlineRetailMapping);

function close(a, b, rel = 1e-9) {
  return a === b || Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}

/** Every customer of regulars' summary `s` against Spark's, by id and in order. */
function assertSameSummary(s, spark, label) {
  const { columns, holdout } = spark;
  assert.equal(columns.customer.length, s.customers.length, `${label}: customer count`);
  assert.deepEqual(new Set(columns.customer), new Set(s.customers), `${label}: customer set`);
  assert.deepEqual(columns.customer, s.customers, `${label}: customers in regulars' order (first appearance)`);
  const pairs = [["frequency", s.frequency, columns.frequency], ["recency", s.recency, columns.recency],
    ["T", s.T, columns.T], ["monetary", s.monetary, columns.monetary], ["totalSpend", s.totalSpend, spark.totalSpend]];
  assert.ok(s.totalSpend instanceof Float64Array);
  if (s.holdoutFrequency) {
    assert.ok(holdout, `${label}: Spark wrote no holdout columns`);
    pairs.push(["holdoutFrequency", s.holdoutFrequency, holdout.frequency], ["holdoutMonetary", s.holdoutMonetary, holdout.monetary]);
    assert.ok(close(holdout.duration, s.holdoutDuration), `${label}: holdoutDuration ${holdout.duration} vs ${s.holdoutDuration}`);
  } else {
    assert.equal(holdout, null, `${label}: Spark wrote holdout columns without a calibration end`);
  }
  for (const [name, ours, theirs] of pairs) {
    for (let i = 0; i < ours.length; i++) {
      if (!close(ours[i], theirs[i])) {
        assert.fail(`${label}: customer ${s.customers[i]} ${name}: regulars ${ours[i]}, Spark ${theirs[i]}`);
      }
    }
  }
}

test("summarize, calibration split: equals tx.summary on every customer, holdout columns included", () => {
  const spark = loadSummary(join(OUT, "retail-holdout"));
  // The ends given as text on the command line mean the instants regulars would use.
  assert.equal(spark.meta.calibrationEnd, Date.UTC(2011, 8, 1));
  assert.equal(spark.meta.observationEnd, Date.UTC(2011, 11, 9, 12, 50));
  const s = retail.summary({ observationEnd: spark.meta.observationEnd, calibrationEnd: spark.meta.calibrationEnd, unit: "day" });
  assert.ok(s.customers.length > 3000);
  assertSameSummary(s, spark, "retail-holdout");
  assert.deepEqual(spark.meta.report, retail.report, "the rows Spark kept and dropped, by reason");
  // What a user does next: the columns go straight into Summary.fromColumns.
  const imported = r.Summary.fromColumns(spark.columns);
  assert.deepEqual([...imported.frequency], [...spark.columns.frequency]);
  assert.deepEqual(imported.customers, spark.columns.customer);
});

test("summarize from typed Parquet (timestamps, double ids): the same summary and report as from the CSV", () => {
  const spark = loadSummary(join(OUT, "retail-parquet"));
  const s = retail.summary({ observationEnd: Date.UTC(2011, 11, 9, 12, 50), calibrationEnd: Date.UTC(2011, 8, 1) });
  assertSameSummary(s, spark, "retail-parquet");
  assert.deepEqual(spark.meta.report, retail.report);
});

test("summarize, default ends, unit week: equals tx.summary() on every customer", () => {
  const spark = loadSummary(join(OUT, "retail-week"));
  const s = retail.summary({ unit: "week" });
  assert.equal(spark.meta.unit, "week");
  assert.equal(spark.meta.observationEnd, Date.UTC(2011, 11, 9, 12, 50), "default observation end: the last purchase");
  assertSameSummary(s, spark, "retail-week");
  assert.equal(s.customers.length, retail.customerCount, "every customer has a purchase before the last one");
});

test("summarize on parsing corners (time formats, ids, numbers, drops): equals regulars' import and summary", () => {
  const spark = loadSummary(join(OUT, "edge"));
  const tx = r.Transactions.fromCsv(readFileSync(join(ROOT, "tests/spark/edge_cases.csv")),
    { customer: "c", time: "t", item: "i", quantity: "q", price: "p", invoice: "inv" });
  assert.deepEqual(spark.meta.report, tx.report);
  assert.equal(spark.meta.calibrationEnd, Date.UTC(2011, 5, 15, 12));
  const s = tx.summary({ observationEnd: spark.meta.observationEnd, calibrationEnd: spark.meta.calibrationEnd });
  assertSameSummary(s, spark, "edge");
  // The corners the fixture is for: "17850.0" and " 17850 " are one customer, "00.0" is "00".
  assert.ok(s.customers.includes("17850") && s.customers.includes("00") && !s.customers.includes("17850.0"));
});

test("train-als: the factor files have the documented shapes and the import's customers and items", () => {
  const f = loadFactors(join(OUT, "als"));
  const { manifest } = f;
  assert.equal(f.factors, 16);
  assert.equal(manifest.hyperParameters.iterations, 5);
  assert.equal(manifest.hyperParameters.implicitPrefs, true);
  assert.match(manifest.trainedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(f.itemFactors.length, f.items.length * 16);
  assert.equal(f.customerFactors.length, f.customers.length * 16);
  assert.equal(f.items.length, retail.itemCount);
  assert.equal(manifest.counts.kept, retail.report.kept);
  // Customers in first-appearance order: regulars' order of its all-time summary.
  assert.deepEqual(f.customers, retail.summary().customers);
});

test("train-als: plain-JS dot-product top-10 equals numpy's on the same files for 50 customers", () => {
  const f = loadFactors(join(OUT, "als"));
  const expected = JSON.parse(readFileSync(join(OUT, "numpy_top10.json"), "utf8"));
  assert.equal(expected.length, 50);
  const row = new Map(f.customers.map((c, i) => [c, i]));
  const k = f.factors;
  for (const { customer, items, scores } of expected) {
    const u = row.get(customer);
    assert.notEqual(u, undefined, `customer ${customer} is not in customers.txt`);
    const x = f.customerFactors.subarray(u * k, (u + 1) * k);
    const all = new Float64Array(f.items.length);
    for (let i = 0; i < f.items.length; i++) {
      let dot = 0;
      for (let j = 0; j < k; j++) dot += x[j] * f.itemFactors[i * k + j];
      all[i] = dot;
    }
    const order = [...all.keys()].sort((a, b) => all[b] - all[a] || a - b).slice(0, 10);
    for (let n = 0; n < 10; n++) {
      assert.ok(close(all[order[n]], scores[n]), `${customer} rank ${n + 1}: score ${all[order[n]]} vs numpy ${scores[n]}`);
      const item = f.items[order[n]];
      // Equal ids, except where two scores tie within rounding (then either order is right).
      if (item !== items[n]) {
        assert.ok(close(all[f.items.indexOf(items[n])], all[order[n]], 1e-12), `${customer} rank ${n + 1}: ${item} vs numpy ${items[n]}`);
      }
    }
  }
});

test("load-factors refuses a truncated factor file and a wrong format name", () => {
  const dir = mkdtempSync(join(tmpdir(), "regulars-factors-"));
  try {
    cpSync(join(OUT, "als"), dir, { recursive: true });
    truncateSync(join(dir, "item_factors.f32"), 100);
    assert.throws(() => loadFactors(dir), /item_factors\.f32 has 100 bytes/);
    cpSync(join(OUT, "als"), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    assert.doesNotThrow(() => loadFactors(dir));
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...manifest, format: "something-else" }));
    assert.throws(() => loadFactors(dir), /is not regulars-factors version 1/);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...manifest, items: { ...manifest.items, count: manifest.items.count + 1 } }));
    assert.throws(() => loadFactors(dir), /items\.txt has \d+ ids, manifest\.json says items\.count/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

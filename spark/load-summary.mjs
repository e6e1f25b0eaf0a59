// The summary a Spark `summarize` job wrote (DIR/summary.json + the CSV part files in
// DIR/summary.csv/), as the columns `Summary.fromColumns` takes, plus the holdout columns and
// the job's metadata. No dependencies: Node's fs and a small RFC 4180 reader. The numbers are
// exact: Spark's CSV writer prints doubles with Java's Double.toString, which round-trips.
//
//   import { loadSummary } from "./spark/load-summary.mjs";
//   const { columns, holdout, meta } = loadSummary("out/summary");
//   const s = r.Summary.fromColumns(columns);          // r = await import("regulars")
//
//   node spark/load-summary.mjs DIR                  # prints the counts and the first rows
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const NUMBER_COLUMNS = ["frequency", "recency", "T", "monetary", "totalSpend", "holdoutFrequency", "holdoutMonetary"];

/** Records of CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF). */
export function csvRecords(text) {
  const records = [];
  let record = [], field = "", i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === "") { quoted = true; i++; continue; }
    if (c === ",") { record.push(field); field = ""; i++; continue; }
    if (c === "\n" || c === "\r") {
      record.push(field); records.push(record); record = []; field = "";
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      continue;
    }
    field += c; i++;
  }
  if (field !== "" || record.length) { record.push(field); records.push(record); }
  return records;
}

/**
 * Reads DIR/summary.json and DIR/summary.csv/part-*.csv (in part order, which is Spark's row
 * order: customers by first appearance). Returns `columns` for `Summary.fromColumns`
 * ({ customer, frequency, recency, T, monetary }), `totalSpend`, `holdout` ({ frequency,
 * monetary, duration } or null) and `meta` (the job's summary.json).
 */
export function loadSummary(dir) {
  const meta = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
  if (meta.format !== "regulars-summary" || meta.version !== 1) {
    throw new Error(`${dir}/summary.json is not a regulars-summary version 1 (format ${meta.format}, version ${meta.version})`);
  }
  if (!meta.files?.csv) throw new Error(`${dir} has no CSV summary (the job ran with --no-csv)`);
  const csvDir = join(dir, meta.files.csv);
  const parts = readdirSync(csvDir).filter((f) => /^part-.*\.csv$/.test(f)).sort();
  const out = { customer: [] };
  for (const name of NUMBER_COLUMNS) if (meta.columns.includes(name)) out[name] = [];
  for (const part of parts) {
    const records = csvRecords(readFileSync(join(csvDir, part), "utf8"));
    if (!records.length) continue;
    const header = records[0];
    const at = Object.fromEntries(header.map((h, i) => [h, i]));
    for (const name of Object.keys(out)) {
      if (!(name in at)) throw new Error(`${part}: column ${name} is missing (header: ${header.join(", ")})`);
    }
    for (let row = 1; row < records.length; row++) {
      const f = records[row];
      if (f.length !== header.length) throw new Error(`${part} line ${row + 1}: ${f.length} fields, the header has ${header.length}`);
      out.customer.push(f[at.customer]);
      for (const name of Object.keys(out)) {
        if (name === "customer") continue;
        const v = Number(f[at[name]]);
        if (f[at[name]] === "" || !Number.isFinite(v)) throw new Error(`${part} line ${row + 1}: ${name} is not a number: '${f[at[name]]}'`);
        out[name].push(v);
      }
    }
  }
  if (out.customer.length !== meta.customers) {
    throw new Error(`${csvDir} has ${out.customer.length} rows, summary.json says ${meta.customers}`);
  }
  const f64 = (a) => Float64Array.from(a);
  return {
    columns: { customer: out.customer, frequency: f64(out.frequency), recency: f64(out.recency), T: f64(out.T), monetary: f64(out.monetary) },
    totalSpend: f64(out.totalSpend),
    holdout: out.holdoutFrequency
      ? { frequency: f64(out.holdoutFrequency), monetary: f64(out.holdoutMonetary), duration: meta.holdoutDuration }
      : null,
    meta,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: node spark/load-summary.mjs DIR   (the --output of a summarize job)");
    process.exit(2);
  }
  const { columns, holdout, meta } = loadSummary(dir);
  console.log(`${columns.customer.length} customers, unit ${meta.unit}, observation end ${meta.observationEndIso}` +
    (holdout ? `, calibration end ${meta.calibrationEndIso}, holdout ${holdout.duration} ${meta.unit}s` : ""));
  for (let i = 0; i < Math.min(5, columns.customer.length); i++) {
    console.log([columns.customer[i], columns.frequency[i], columns.recency[i], columns.T[i], columns.monetary[i]].join("\t"));
  }
}

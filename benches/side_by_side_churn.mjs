// Side by side, in one run on the same machine: Python lifetimes vs regulars (wasm, in Node) on
// the CDNOW sample (calibration to 1997-09-30, weeks). Prints medians and ratios.
// Usage: node benches/side_by_side_churn.mjs [repeats]
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { r, cdnowColumns } from "../tests/js/helpers.mjs";

const repeats = Number(process.argv[2] ?? 7);
const s = r.Transactions.fromColumns(cdnowColumns("CDNOW_sample.txt")).summary({ calibrationEnd: Date.UTC(1997, 8, 30), unit: "week" });

function median(xs) {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.floor(a.length / 2)];
}
function time(fn) {
  fn(); // warm-up: the first call compiles
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

const dir = mkdtempSync(path.join(tmpdir(), "regulars-bench-"));
const csv = path.join(dir, "summary.csv");
writeFileSync(csv, "frequency,recency,T,monetary\n" + s.customers.map((_, i) => `${s.frequency[i]},${s.recency[i]},${s.T[i]},${s.monetary[i]}`).join("\n"));
const lifetimes = JSON.parse(execFileSync("python3", [path.join(import.meta.dirname, "lifetimes_fit.py"), csv, String(repeats)], { encoding: "utf8" }));

const ours = {
  bg_nbd: time(() => r.BetaGeo.fit(s)),
  pareto_nbd: r.ParetoNbd ? time(() => r.ParetoNbd.fit(s)) : NaN,
  gamma_gamma: time(() => r.GammaGamma.fit(s)),
};
const goals = { bg_nbd: 20, pareto_nbd: 50, gamma_gamma: 1 };
console.log(`CDNOW sample, ${s.customers.length} customers, median of ${repeats} fits each`);
console.log("| model | lifetimes (Python) | regulars (wasm, Node) | speed-up | goal |");
console.log("|---|---|---|---|---|");
for (const k of Object.keys(ours)) {
  const theirs = lifetimes[k].median_seconds;
  console.log(`| ${k} | ${(theirs * 1000).toFixed(1)} ms | ${(ours[k] * 1000).toFixed(2)} ms | ${(theirs / ours[k]).toFixed(1)}× | ≥ ${goals[k]}× |`);
}

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

// 1,000,000 synthetic customers simulated from BG/NBD (FHL 2005's CDNOW parameters) on a day
// grid over 52 weeks: the fit's cost follows the distinct (x, t_x, T) rows.
function gamma(shape, random) {
  if (shape < 1) return gamma(shape + 1, random) * Math.pow(random(), 1 / shape);
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x, v;
    do {
      const u1 = random() || 1e-12, u2 = random();
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
let state = 42;
const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) + 0.5) / 4294967296;
const N = 1_000_000, frequency = new Float64Array(N), recency = new Float64Array(N), T = new Float64Array(N);
for (let i = 0; i < N; i++) {
  const lambda = gamma(0.243, random) / 4.414;
  const ga = gamma(0.793, random), gb = gamma(2.426, random), p = ga / (ga + gb);
  const age = Math.floor(random() * 12 * 7) / 7 + 40; // first purchase in the first 12 weeks of a 52-week window
  let t = 0, x = 0, last = 0;
  for (;;) {
    t += -Math.log(random() || 1e-12) / lambda;
    if (t > age) break;
    x++; last = Math.floor(t * 7) / 7;
    if (random() < p) break;
  }
  frequency[i] = x; recency[i] = x > 0 ? Math.min(last, age) : 0; T[i] = age;
}
const million = r.Summary.fromColumns({ frequency, recency, T, unit: "week" });
const millionFit = time(() => r.BetaGeo.fit(million));
const fitted = r.BetaGeo.fit(million);
const scoring = time(() => { fitted.probabilityAlive(million); fitted.expectedPurchases(13, million); });
console.log(`CDNOW sample, ${s.customers.length} customers, median of ${repeats} fits each`);
console.log("| model | lifetimes (Python) | regulars (wasm, Node) | speed-up | goal |");
console.log("|---|---|---|---|---|");
for (const k of Object.keys(ours)) {
  const theirs = lifetimes[k].median_seconds;
  console.log(`| ${k} | ${(theirs * 1000).toFixed(1)} ms | ${(ours[k] * 1000).toFixed(2)} ms | ${(theirs / ours[k]).toFixed(1)}× | ≥ ${goals[k]}× |`);
}
console.log(`| BG/NBD fit, 1,000,000 simulated customers | | ${(millionFit * 1000).toFixed(0)} ms | | ≤ 1 s |`);
console.log(`| scoring (P(alive) + expected purchases), 1,000,000 customers | | ${(N / scoring / 1e6).toFixed(1)} M customers/s | | ≥ 2 M/s |`);

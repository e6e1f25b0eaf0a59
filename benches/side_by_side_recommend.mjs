// Side by side, in one run on the same machine: Python implicit 0.7.3 (num_threads=1) vs
// regulars (wasm, in Node) on issue 3's Online Retail split. Prints medians and ratios.
// The ALS fit, the row with the tightest goal, is timed interleaved (one implicit fit in a fresh
// Python process, then one wasm fit, `repeats` rounds): on a shared machine the load drifts over the
// seconds that separate two blocks of timings, and a ratio of two blocks measured apart drifts with it.
// Usage: node benches/side_by_side_recommend.mjs [repeats]
import { execFileSync } from "node:child_process";
import path from "node:path";
import { r, onlineRetailSplit } from "../tests/js/helpers.mjs";

const repeats = Number(process.argv[2] ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn, n = repeats) {
  const times = [];
  let out;
  if (n > 1) fn(); // warm-up: the first call compiles and grows memory (as the Python side's)
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    out = fn();
    times.push(performance.now() - t0);
  }
  return [median(times), out];
}

const python = execFileSync("python3", [path.join(import.meta.dirname, "side_by_side_recommend.py"), "--repeat", String(repeats)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
const line = (name) => python.split("\n").find((l) => l.startsWith(name));
const field = (l, key) => Number(l.match(new RegExp(`${key}\\s+([\\d.]+)`))[1]);
const implicitAls = line("als"), implicitBm25 = line("bm25");

const { train, test } = onlineRetailSplit(Date.UTC(2011, 8, 1));
const customers = test.map(([c]) => c);
const fitAls = () => r.Recommender.fit(train, { algorithm: "als", factors: 64, iterations: 15, seed: 1 });
let als = fitAls(); // warm-up
const implicitAlsFits = [], alsFits = [];
for (let round = 0; round < repeats; round++) {
  const one = execFileSync("python3", [path.join(import.meta.dirname, "side_by_side_recommend.py"), "--repeat", "1", "--models", "als"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  implicitAlsFits.push(field(one.split("\n").find((l) => l.startsWith("als")), "fit"));
  const t0 = performance.now();
  als = fitAls();
  alsFits.push(performance.now() - t0);
}
const alsFit = median(alsFits), implicitAlsFit = median(implicitAlsFits);
const alsRatio = median(alsFits.map((ms, i) => ms / implicitAlsFits[i]));
const [knnFit] = time(() => r.Recommender.fit(train, { algorithm: "itemknn", seed: 1 }));
const [autoFit, auto] = time(() => r.Recommender.fit(train, { seed: 1 }), 1);
const [many] = time(() => als.recommendMany(customers, { k: 10 }));
const [manyAuto] = time(() => auto.recommendMany(customers, { k: 10 }));
const single = [];
for (let i = 0; i < 2000; i++) {
  const t0 = performance.now();
  auto.recommend(customers[i % customers.length], { k: 10 });
  single.push(performance.now() - t0);
}
const bytes = auto.toBytes().length;

// 100,000 items: a synthetic catalogue, one ALS sweep (training time is not the point here).
const n = 400000, customer = new Array(n), item = new Array(n), t = new Float64Array(n);
for (let i = 0; i < n; i++) { customer[i] = `c${(i * 7919) % 40000}`; item[i] = `i${(i * 104729) % 100000}`; t[i] = i * 1000; }
const big = r.Recommender.fit(r.Transactions.fromColumns({ customer, item, time: t }), { algorithm: "als", iterations: 1, seed: 1 });
const bigTimes = [];
for (let i = 0; i < 200; i++) {
  const t0 = performance.now();
  big.recommend(`c${i}`, { k: 10 });
  bigTimes.push(performance.now() - t0);
}

console.log(`Online Retail split: ${train.customerCount} customers, ${train.itemCount} items, ${customers.length} test customers; medians of ${repeats}`);
console.log("| measure | implicit (Python, 1 thread) | regulars (wasm, Node) | ratio | goal |");
console.log("|---|---|---|---|---|");
console.log(`| ALS fit, 64 factors, 15 iterations (interleaved; median of per-round ratios) | ${implicitAlsFit.toFixed(0)} ms | ${alsFit.toFixed(0)} ms | ${alsRatio.toFixed(2)}× | ≤ 1.0× |`);
console.log(`| item-kNN (BM25) fit | ${field(implicitBm25, "fit")} ms | ${knnFit.toFixed(0)} ms | ${(knnFit / field(implicitBm25, "fit")).toFixed(2)}× | |`);
console.log(`| top-10 for all test customers (ALS) | ${field(implicitAls, "recommend_all")} ms | ${many.toFixed(0)} ms | ${(many / field(implicitAls, "recommend_all")).toFixed(2)}× | ≤ 1.0× |`);
console.log(`| top-10 for all test customers (default blend) | | ${manyAuto.toFixed(0)} ms | | |`);
console.log(`| default "auto" fit (validation + final fit) | | ${autoFit.toFixed(0)} ms | | |`);
console.log(`| one recommend, ${train.itemCount} items | | ${(median(single) * 1000).toFixed(0)} µs | | ≤ 100 µs |`);
console.log(`| one recommend, 100,000 items | | ${median(bigTimes).toFixed(2)} ms | | ≤ 5 ms |`);
console.log(`| model bytes (default, f32) | | ${(bytes / 1024 / 1024).toFixed(2)} MB | | ≤ 2 MB |`);
console.log(`| recall@10 (implicit's definition) | ALS ${field(implicitAls, "implicit_precision")}, BM25 ${field(implicitBm25, "implicit_precision")} | see make test | | ≥ 0.125 |`);

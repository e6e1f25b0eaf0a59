// OfferRanker.learn in wasm (Node): 1,000,000 logged decision records (rank().decision + reward)
// learned in one batch; median of 3 runs on fresh rankers (goal ≤ 1 s). Records are built once
// from real rank() calls, as a fleet's log would hold them.
import { importInstalled } from "../scripts/installed-package.mjs";
const r = await importInstalled();
const N = Number(process.env.RECORDS ?? 1_000_000);
const sim = new r.OfferSimulator({ setup: "standard", seed: 3 });
const options = { ...sim.rankerOptions(5), instance: "bench" };
const logger = new r.OfferRanker(options);
const segments = ["Champions", "At Risk", "Lost", "New Customers"];
const records = new Array(N);
for (let i = 0; i < N; i++) {
  const { decision } = logger.rank({ customer: `c${i}`, risk: (i % 100) / 100, clv: 50 + (i % 700), segment: segments[i % 4], orderValue: 30 + (i % 50) });
  records[i] = { ...decision, reward: decision.offer === "none" ? 0 : (i % 7) - 2 };
}
const seconds = [];
for (let run = 0; run < 3; run++) {
  const ranker = new r.OfferRanker(options);
  const t0 = performance.now();
  const out = ranker.learn(records);
  seconds.push((performance.now() - t0) / 1000);
  if (out.applied !== N) throw new Error(`applied ${out.applied} of ${N}`);
  ranker.free();
}
seconds.sort((a, b) => a - b);
console.log(`| OfferRanker.learn, ${N.toLocaleString("en")} records (wasm, Node) | ${seconds[1].toFixed(2)} s (median of 3) | goal ≤ 1 s |`);

import { readFileSync } from "node:fs";
const r = await import("regulars");
const { cdnowColumns } = await import("/work/main/tests/js/helpers.mjs");
const s = r.Transactions.fromColumns(cdnowColumns("CDNOW_sample.txt")).summary({ calibrationEnd: Date.UTC(1997, 8, 30), unit: "week" });
function med(fn, n = 9) { fn(); const t = []; for (let i = 0; i < n; i++) { const a = performance.now(); fn(); t.push(performance.now() - a); } t.sort((a, b) => a - b); return t[n >> 1]; }
console.log("bg", med(() => r.BetaGeo.fit(s)).toFixed(2), "pnbd", med(() => r.ParetoNbd.fit(s)).toFixed(2));
const m = r.BetaGeo.fit(s);
console.log("score", med(() => { m.probabilityAlive(s); m.expectedPurchases(10, s); }).toFixed(3));

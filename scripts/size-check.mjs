// The gzipped wasm must stay <= 250 KB (goal <= 200 KB): edge workers and pages download it.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const wasm = readFileSync(new URL("../pkg/regulars_bg.wasm", import.meta.url));
const gzipped = gzipSync(wasm, { level: 9 }).length;
const limit = 250 * 1024;
console.log(`size: regulars_bg.wasm ${(wasm.length / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(1)} KB gzipped (limit 250 KB, goal 200 KB)`);
if (gzipped > limit) {
  console.error(`size: the gzipped wasm is over the limit by ${((gzipped - limit) / 1024).toFixed(1)} KB`);
  process.exit(1);
}

// Native and wasm builds train bit-identical models: the recommender's kernels keep one arithmetic
// (no fused multiply-add, the same summation order in the AVX2, simd128 and scalar paths), so a
// nightly job fitted natively and a worker fitted in wasm agree byte for byte. The native half is
// examples/model_bytes.rs (built by `cargo test --release`; built here if missing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { r, onlineRetailMapping } from "./helpers.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sample = path.join(root, "www/public/sample/online-retail-sample.csv");
const mapping = { ...onlineRetailMapping, invoice: "InvoiceNo" };
const digest = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);

for (const [algorithm, seed] of [["als", 7], ["auto", 3]]) {
  test(`native and wasm fit the same ${algorithm} model, byte for byte`, () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "regulars-")), `${algorithm}.bin`);
    execFileSync("cargo", ["run", "-q", "--release", "--example", "model_bytes", "--", sample, algorithm, String(seed), out],
      { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    const native = readFileSync(out);
    const tx = r.Transactions.fromCsv(readFileSync(sample), mapping);
    const wasm = Buffer.from(r.Recommender.fit(tx, { algorithm, seed }).toBytes());
    assert.ok(native.length > 10_000, `native model is only ${native.length} bytes`);
    assert.equal(wasm.length, native.length, "model sizes differ");
    assert.equal(digest(wasm), digest(native), "native and wasm models differ");
    // A different seed gives a different model, so the comparison above can fail.
    const other = Buffer.from(r.Recommender.fit(tx, { algorithm, seed: seed + 1 }).toBytes());
    assert.notEqual(digest(other), digest(native));
  });
}

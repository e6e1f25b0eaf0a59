// The factor files a Spark `train-als` job wrote (the interchange format of spark/README.md:
// manifest.json, items.txt / customers.txt, item_factors.f32 / customer_factors.f32), read into
// ids and Float32Arrays, with every shape checked against the manifest. No dependencies.
//
//   import { loadFactors } from "./spark/load-factors.mjs";
//   const { items, itemFactors, customers, customerFactors, factors } = loadFactors("out/als");
//   // row k of itemFactors (itemFactors.subarray(k * factors, (k + 1) * factors)) is items[k]'s
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const FORMAT = "regulars-factors";
export const VERSION = 1;

function readIds(dir, file, count, what) {
  const text = readFileSync(join(dir, file), "utf8");
  if (text.length && !text.endsWith("\n")) throw new Error(`${file}: the last id has no line end`);
  const ids = text.length ? text.slice(0, -1).split("\n") : [];
  if (ids.length !== count) throw new Error(`${file} has ${ids.length} ids, manifest.json says ${what}.count = ${count}`);
  const seen = new Set();
  ids.forEach((id, line) => {
    if (id === "") throw new Error(`${file} line ${line + 1} is empty`);
    if (seen.has(id)) throw new Error(`${file} line ${line + 1}: id '${id}' is repeated`);
    seen.add(id);
  });
  return ids;
}

function readRows(dir, file, count, factors) {
  const bytes = readFileSync(join(dir, file));
  if (bytes.length !== count * factors * 4) {
    throw new Error(`${file} has ${bytes.length} bytes, expected ${count} rows × ${factors} float32 = ${count * factors * 4}`);
  }
  // Little-endian by the format; DataView reads it so on any host.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count * factors);
  for (let i = 0; i < out.length; i++) {
    out[i] = view.getFloat32(i * 4, true);
    if (!Number.isFinite(out[i])) throw new Error(`${file}: value ${i} (row ${Math.floor(i / factors)}) is not finite`);
  }
  return out;
}

/** Reads and checks DIR's factor files; `customers`/`customerFactors` are null when absent. */
export function loadFactors(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  if (manifest.format !== FORMAT || manifest.version !== VERSION) {
    throw new Error(`${dir}/manifest.json is not ${FORMAT} version ${VERSION} (format ${manifest.format}, version ${manifest.version})`);
  }
  if (manifest.dtype !== "float32" || manifest.byteOrder !== "little-endian") {
    throw new Error(`manifest.json: dtype ${manifest.dtype}, byteOrder ${manifest.byteOrder}; only float32 little-endian is defined`);
  }
  const factors = manifest.factors;
  if (!Number.isInteger(factors) || factors < 1) throw new Error(`manifest.json: factors must be a positive integer, got ${factors}`);
  const items = readIds(dir, manifest.items.ids, manifest.items.count, "items");
  const itemFactors = readRows(dir, manifest.items.factors, items.length, factors);
  let customers = null, customerFactors = null;
  if (manifest.customers) {
    customers = readIds(dir, manifest.customers.ids, manifest.customers.count, "customers");
    customerFactors = readRows(dir, manifest.customers.factors, customers.length, factors);
  }
  return { manifest, factors, items, itemFactors, customers, customerFactors };
}

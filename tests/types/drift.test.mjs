// The types cannot drift from the module: the installed tarball's index.d.ts (read with the
// TypeScript compiler API) and the module Node loads from the same install export the same
// classes and functions, and each class the same static methods and instance methods / getters —
// both ways. The checks below it show the comparison fails on doctored declarations and exports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { installedProject } from "./installed.mjs";
import { compareSurfaces, declaredSurface, runtimeSurface } from "./surface.mjs";

const project = installedProject("regulars-drift-");
process.on("exit", project.cleanup);
const installed = join(project.dir, "node_modules", "regulars");
const resolveFromProject = createRequire(join(project.dir, "package.json")).resolve;
const { exports } = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));

// Every entry of the exports map that has types is checked against the module Node loads for it
// (a new entry is checked with no edit here), except those Node cannot load, each with its
// reason. The workerd entry imports regulars_bg.wasm as a module: the hooks load it as workerd does.
register("./wasm-module-hooks.mjs", import.meta.url);
const NOT_LOADABLE_IN_NODE = {};
const typedEntries = Object.entries(exports).filter(([, v]) => typeof v === "object" && v.types);

async function surfaces(subpath) {
  const dts = readFileSync(join(installed, exports[subpath].types), "utf8");
  // Resolved through the exports map, as `import "regulars/…"` in Node would.
  const entry = resolveFromProject(`regulars${subpath.slice(1)}`);
  return { dts, entry, declared: declaredSurface(dts), runtime: runtimeSurface(await import(pathToFileURL(entry).href)) };
}

const main = await surfaces(".");
const { dts: dtsText, declared, runtime } = main;

test("the main entry resolves to the node build and its surface was read", () => {
  assert.match(main.entry, /node\.js$/);
  assert.ok(Object.keys(runtime).length >= 15 && runtime.Recommender?.kind === "class");
});

for (const [subpath] of typedEntries) {
  if (subpath in NOT_LOADABLE_IN_NODE) continue;
  test(`"${subpath}": its types declare exactly what its module exports`, async () => {
    const { declared: d, runtime: r } = subpath === "." ? main : await surfaces(subpath);
    assert.deepEqual(compareSurfaces(d, r), []);
  });
}

test("the entries left out of the check above still exist, and the rest were checked", () => {
  for (const subpath of Object.keys(NOT_LOADABLE_IN_NODE)) assert.ok(exports[subpath], `${subpath} is no longer an entry`);
  const checked = typedEntries.filter(([subpath]) => !(subpath in NOT_LOADABLE_IN_NODE)).map(([subpath]) => subpath);
  for (const subpath of [".", "./web", "./node", "./workerd", "./serve"]) assert.ok(checked.includes(subpath), checked.join(", "));
});

test("the comparison reports a doctored declaration list, both ways", () => {
  const doctored = structuredClone(declared);
  delete doctored.Recommender.instance.recommendForItems;        // a method added without its type
  doctored.ChurnModel.instance.scoreAll = "method";                // a declared method the module lacks
  doctored.GammaGamma.static.fromByte = doctored.GammaGamma.static.fromBytes; // a misspelt rename
  delete doctored.GammaGamma.static.fromBytes;
  doctored.Summary.instance.length = "method";                     // a getter declared as a method
  delete doctored.evaluateRecommender;                             // a function added without its type
  doctored.planCampaign = { kind: "function" };                    // a declared function that is not there
  assert.deepEqual(compareSurfaces(doctored, runtime).sort(), [
    "ChurnModel#scoreAll: declared in index.d.ts, missing from the module",
    "GammaGamma.fromByte: declared in index.d.ts, missing from the module",
    "GammaGamma.fromBytes: a method of the module, not declared in index.d.ts",
    "Recommender#recommendForItems: a method of the module, not declared in index.d.ts",
    "Summary#length: declared as a method, is a getter in the module",
    "evaluateRecommender: exported by the module, not declared in index.d.ts",
    "planCampaign: declared in index.d.ts, not exported by the module",
  ]);
});

test("a doctored index.d.ts, read by the compiler, is reported", () => {
  const edited = dtsText
    .replace("  recommendForItems(items", "  recommendForBasket(items")
    .replace("  static fromBytes(bytes: Bytes): GammaGamma;\n", "")
    .replace("export function wasmMemoryBytes(): number;", "");
  assert.notEqual(edited, dtsText);
  assert.deepEqual(compareSurfaces(declaredSurface(edited), runtime).sort(), [
    "GammaGamma.fromBytes: a method of the module, not declared in index.d.ts",
    "Recommender#recommendForBasket: declared in index.d.ts, missing from the module",
    "Recommender#recommendForItems: a method of the module, not declared in index.d.ts",
    "wasmMemoryBytes: exported by the module, not declared in index.d.ts",
  ]);
});

test("a doctored module (an export or method added in Rust or JS without its type) is reported", () => {
  const extra = structuredClone(runtime);
  extra.reliability = { kind: "function" };
  extra.OfferRanker.instance.learn = "method";
  extra.ChurnModel.instance.undeclaredGetter = "getter"; // (warnings, the former example, is declared now)
  assert.deepEqual(compareSurfaces(declared, extra).sort(), [
    "ChurnModel#undeclaredGetter: a getter of the module, not declared in index.d.ts",
    "OfferRanker#learn: a method of the module, not declared in index.d.ts",
    "reliability: exported by the module, not declared in index.d.ts",
  ]);
});

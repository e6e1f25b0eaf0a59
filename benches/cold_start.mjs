// Cold start of the edge example: how long a fresh process (Node) or a fresh workerd isolate takes
// from the wasm bytes to its first answer, per phase — compile, instantiate, ChurnModel.fromBytes,
// Recommender.fromBytes, OfferRanker.fromBytes and the first answer (examples/edge-worker/answer.js
// for one customer). Medians (and means) of N fresh runs: every run is a new process, so nothing is
// warm but the OS file cache.
//
//   node benches/cold_start.mjs [--pkg DIR] [--build full|serve | --entry ./subpath]
//                               [--models DIR] [--runs N] [--only node|workerd] [--json FILE]
//
// --pkg: a built package (default pkg/). --build picks the package export: "full" is ".", "serve"
// is "./serve" (the serve build of issue 17); --entry names any other export. The export's
// "workerd" file is read to find its wasm module, its wasm-bindgen glue (the import that gives
// `initSync`) and its side-effect imports, so any build laid out like npm/workerd.js works.
// --models: the edge example's churn.bin, recommender.bin, ranker.bin and customers.json (default:
// fitted now with the package's full build by examples/edge-worker/build-models.mjs, into a
// temporary directory).
//
// Node: compile = WebAssembly.compile of the bytes (read beforehand). workerd compiles an embedded
// wasm module when it loads the worker, and refuses compiling at run time, so there compile is
// measured from outside: median time from spawning workerd to its listening socket, with the wasm
// module embedded minus without it (the same worker otherwise). workerd's clock has 1 ms
// resolution: its per-phase medians are whole milliseconds, the means show what lies between.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { startWorkerd } from "../tests/workerd/run-workerd.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..");
const PHASES = ["compile", "instantiate", "churn", "recommender", "ranker", "firstAnswer"];

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);

/** The wasm, glue and side-effect modules of a package export, from its "workerd" entry file. */
export function locateBuild(pkgDir, subpath) {
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const target = manifest.exports?.[subpath];
  if (!target) throw new Error(`${pkgDir}/package.json has no export "${subpath}"`);
  const pick = (e) => (typeof e === "string" ? e : e && (pick(e.workerd) ?? pick(e.default)));
  const entry = join(pkgDir, pick(target));
  const source = readFileSync(entry, "utf8");
  const specifiers = [...source.matchAll(/import\s+(?:([\w{}\s,*]+)\s+from\s+)?["'](\.[^"']+)["']/g)]
    .map((m) => ({ names: m[1] ?? "", path: resolve(dirname(entry), m[2]) }));
  const wasm = specifiers.find((s) => s.path.endsWith(".wasm"))?.path;
  const glue = specifiers.find((s) => /\binitSync\b/.test(s.names))?.path;
  if (!wasm || !glue) throw new Error(`${entry}: no wasm import or no glue import with initSync`);
  const sideEffects = specifiers.filter((s) => !s.names).map((s) => s.path);
  return { entry, wasm, glue, sideEffects };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

/** One fresh Node process's phases, in ms (run as the child: `--child-node <json>`). */
async function nodeChild({ wasm, glue, sideEffects, models }) {
  const bytes = readFileSync(wasm);
  const read = (name) => new Uint8Array(readFileSync(join(models, name)));
  const [churnBytes, recommenderBytes, rankerBytes] = ["churn.bin", "recommender.bin", "ranker.bin"].map(read);
  const customers = JSON.parse(readFileSync(join(models, "customers.json"), "utf8"));
  const regulars = await import(pathToFileURL(glue).href);
  for (const s of sideEffects) await import(pathToFileURL(s).href);
  const { answer } = await import(pathToFileURL(join(ROOT, "examples/edge-worker/answer.js")).href);
  const [id] = Object.keys(customers);
  const t = [performance.now()];
  const module = await WebAssembly.compile(bytes);
  t.push(performance.now());
  regulars.initSync({ module });
  t.push(performance.now());
  const churn = regulars.ChurnModel.fromBytes(churnBytes);
  t.push(performance.now());
  const recommender = regulars.Recommender.fromBytes(recommenderBytes);
  t.push(performance.now());
  const ranker = regulars.OfferRanker.fromBytes(rankerBytes);
  t.push(performance.now());
  const result = answer(regulars, { churn, recommender, ranker }, id, customers[id]).body;
  t.push(performance.now());
  if (!result.topProducts?.length || !result.bestOffer) throw new Error("the first answer is incomplete");
  return Object.fromEntries(PHASES.map((p, i) => [p, t[i + 1] - t[i]]));
}

function runNode(build, models, runs) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child-node", JSON.stringify({ ...build, models })], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(`node child failed:\n${child.stderr}`);
    results.push(JSON.parse(child.stdout.trim().split("\n").pop()));
  }
  return results;
}

const WORKER = (glue, sideEffects) => `// Generated by benches/cold_start.mjs.
import wasmModule from "./bench.wasm";
import * as regulars from "./${glue}";
${sideEffects.map((s) => `import "./${s}";`).join("\n")}
import { answer } from "./answer.js";
import churnBytes from "./churn.bin";
import recommenderBytes from "./recommender.bin";
import rankerBytes from "./ranker.bin";
import customers from "./customers.json";

export default {
  async fetch() {
    const [id] = Object.keys(customers);
    const rb = new Uint8Array(rankerBytes);
    const t = [performance.now()];
    t.push(performance.now()); // compile: done by workerd at load, measured from outside
    regulars.initSync({ module: wasmModule });
    t.push(performance.now());
    const churn = regulars.ChurnModel.fromBytes(new Uint8Array(churnBytes));
    t.push(performance.now());
    const recommender = regulars.Recommender.fromBytes(new Uint8Array(recommenderBytes));
    t.push(performance.now());
    const ranker = regulars.OfferRanker.fromBytes(rb);
    t.push(performance.now());
    const result = answer(regulars, { churn, recommender, ranker }, id, customers[id]).body;
    t.push(performance.now());
    if (!result.topProducts?.length || !result.bestOffer) return new Response("incomplete answer", { status: 500 });
    return new Response(JSON.stringify(${JSON.stringify(PHASES)}.map((p, i) => [p, t[i + 1] - t[i]])));
  },
};
`;

/** A workerd config in a temporary directory holding copies of the build's modules under their
 * package paths (capnp embeds only paths relative to the config), the models and answer.js. */
function workerdConfig(pkgDir, build, models, { withWasm = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "regulars-cold-"));
  const rel = (p) => relative(pkgDir, p).split("\\").join("/");
  const copy = (from, name) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    copyFileSync(from, join(dir, name));
    return JSON.stringify(name);
  };
  const glue = rel(build.glue);
  const sideEffects = build.sideEffects.map(rel);
  const modules = [`(name = "worker.js", esModule = embed "worker.js")`];
  const js = new Set([glue, ...sideEffects]);
  // Every .js file of the package, so the glue's and the side-effect modules' own imports resolve.
  const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  for (const f of walk(pkgDir)) if (f.endsWith(".js") && !/(^|\/)(node|web|workerd)\.js$/.test(rel(f))) js.add(rel(f));
  for (const m of js) modules.push(`(name = ${JSON.stringify(m)}, esModule = embed ${copy(join(pkgDir, m), m)})`);
  modules.push(`(name = "answer.js", esModule = embed ${copy(join(ROOT, "examples/edge-worker/answer.js"), "answer.js")})`);
  // Without the wasm the worker still loads (it fails only when a request instantiates).
  modules.push(`(name = "bench.wasm", ${withWasm ? "wasm" : "data"} = embed ${copy(build.wasm, "bench.wasm")})`);
  for (const f of ["churn.bin", "recommender.bin", "ranker.bin"]) modules.push(`(name = "${f}", data = embed ${copy(join(models, f), f)})`);
  modules.push(`(name = "customers.json", json = embed ${copy(join(models, "customers.json"), "customers.json")})`);
  writeFileSync(join(dir, "worker.js"), WORKER(glue, sideEffects));
  writeFileSync(join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .bench) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const bench :Workerd.Worker = (
  modules = [
    ${modules.join(",\n    ")}
  ],
  compatibilityDate = "2025-09-01",
);
`);
  return join(dir, "config.capnp");
}

async function runWorkerd(pkgDir, build, models, runs) {
  const withWasm = workerdConfig(pkgDir, build, models);
  const withoutWasm = workerdConfig(pkgDir, build, models, { withWasm: false });
  const results = [];
  const startup = { with: [], without: [] };
  for (let i = 0; i < runs; i++) {
    // Alternate the two so that load on the machine hits both alike.
    const bare = await startWorkerd(withoutWasm, { timeoutMs: 60_000 });
    startup.without.push(bare.startupMs);
    await bare.stop();
    const w = await startWorkerd(withWasm, { timeoutMs: 60_000 });
    startup.with.push(w.startupMs);
    try {
      const res = await fetch(`http://127.0.0.1:${w.port}/`, { signal: AbortSignal.timeout(30_000) });
      if (res.status !== 200) throw new Error(`workerd answered ${res.status}: ${await res.text()}\n${w.log()}`);
      results.push(Object.fromEntries(await res.json()));
    } finally {
      await w.stop();
    }
  }
  const compile = median(startup.with) - median(startup.without);
  for (const r of results) r.compile = NaN; // per run unknown; the medians' difference below
  return { results, compile, startup };
}

function summarise(label, results, compileOverride) {
  const row = { runtime: label };
  for (const p of PHASES) {
    const values = results.map((r) => r[p]);
    row[p] = p === "compile" && compileOverride !== undefined ? compileOverride : median(values);
    if (p !== "compile" || compileOverride === undefined) row[`${p}Mean`] = mean(values);
  }
  row.loadModels = median(results.map((r) => r.churn + r.recommender + r.ranker));
  row.instantiateAndLoad = median(results.map((r) => r.instantiate + r.churn + r.recommender + r.ranker));
  row.total = median(results.map((r) => PHASES.filter((p) => p !== "compile").reduce((a, p) => a + r[p], 0))) + row.compile;
  return row;
}

if (args[0] === "--child-node") {
  console.log(JSON.stringify(await nodeChild(JSON.parse(args[1]))));
} else {
  const pkgDir = resolve(opt("--pkg", join(ROOT, "pkg")));
  const build = opt("--build", "full");
  const subpath = opt("--entry", build === "serve" ? "./serve" : build === "full" ? "." : build);
  const located = locateBuild(pkgDir, subpath);
  const runs = Number(opt("--runs", "15"));
  const only = opt("--only");
  let models = opt("--models");
  if (models) {
    models = resolve(models);
  } else {
    models = mkdtempSync(join(tmpdir(), "regulars-models-"));
    const fit = spawnSync(process.execPath, [join(ROOT, "examples/edge-worker/build-models.mjs"), "--pkg", pkgDir, "--out", models], { encoding: "utf8" });
    if (fit.status !== 0) throw new Error(`build-models failed:\n${fit.stderr}`);
  }
  const sizes = Object.fromEntries(["churn.bin", "recommender.bin", "ranker.bin"].map((f) => [f, statSync(join(models, f)).size]));
  const wasmBytes = statSync(located.wasm).size;
  console.log(`cold start: ${relative(ROOT, located.wasm) || located.wasm} (${wasmBytes} bytes), models ${JSON.stringify(sizes)}, ${runs} fresh runs each`);
  const rows = [];
  if (only !== "workerd") rows.push(summarise("node", runNode(located, models, runs)));
  if (only !== "node") {
    const w = await runWorkerd(pkgDir, located, models, runs);
    rows.push({ ...summarise("workerd", w.results, w.compile), startupWithWasm: median(w.startup.with), startupWithoutWasm: median(w.startup.without) });
  }
  const fmt = (v) => (typeof v === "number" ? v.toFixed(2) : v);
  console.log(["runtime", ...PHASES, "instantiate+load", "total"].join("\t"));
  for (const r of rows) console.log([r.runtime, ...PHASES.map((p) => fmt(r[p])), fmt(r.instantiateAndLoad), fmt(r.total)].join("\t"));
  for (const r of rows) {
    if (r.runtime === "workerd") {
      console.log(`workerd means: ${PHASES.filter((p) => p !== "compile").map((p) => `${p} ${fmt(r[`${p}Mean`])}`).join(", ")}; startup ${fmt(r.startupWithWasm)} ms with the wasm, ${fmt(r.startupWithoutWasm)} without`);
    }
  }
  const json = opt("--json");
  if (json) writeFileSync(json, JSON.stringify({ wasm: located.wasm, wasmBytes, models: sizes, runs, rows }, null, 2));
}

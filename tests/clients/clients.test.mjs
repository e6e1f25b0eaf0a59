// The packed tarball in real clients (issue 15, item 2): each client gets a fresh project under
// target/clients/<name>/ with the tarball npm-installed, runs the shared job (job.mjs) through its
// own module loader or bundle, and must give exactly the answer Node ESM gives. Where a bundler
// needs a step, the step run here is the one-line recipe npm/README.md documents for it.
// Tools come from npm once (tools.mjs, target/clients/tools). `make test-clients`.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { basename, join } from "node:path";
import { test } from "node:test";
import { answerInChromium, clientProject, firstDifference, printedAnswer, run } from "./harness.mjs";
import { shopColumns } from "./job.mjs";
import { ROOT } from "../../scripts/installed-package.mjs";
import { TOOLS_DIR, tools } from "./tools.mjs";

const tool = tools();

// The entries each client runs: the package imported by its bare name, the job, the answer out.
const ESM_MAIN = `import * as r from "regulars";\nimport * as serve from "regulars/serve";\nimport { job } from "./job.mjs";\nconsole.log(JSON.stringify(job(r, serve)));\n`;
const CJS_MAIN = `const r = require("regulars");\nconst serve = require("regulars/serve");\nconst { job } = require("./job.mjs");\nconsole.log(JSON.stringify(job(r, serve)));\n`;
const BROWSER_MAIN = `import init, * as r from "regulars";\nimport initServe, * as serve from "regulars/serve";\nimport { job } from "./job.mjs";\n` +
  `Promise.all([init(), initServe()]).then(() => { window.__answer = JSON.stringify(job(r, serve)); }, (e) => { window.__error = String(e?.stack ?? e); });\n`;
const page = (script, type = "module") => `<!doctype html>\n<meta charset="utf-8">\n<title>regulars client</title>\n<link rel="icon" href="data:,">\n<script type="${type}" src="${script}"></script>\n`;

let referenceAnswer;
/** Node ESM's answer, which every other client must reproduce. */
async function reference() {
  referenceAnswer ??= (async () => {
    const dir = await clientProject("node-esm", { "main.mjs": ESM_MAIN });
    return printedAnswer(await run("node", ["main.mjs"], { cwd: dir }));
  })();
  return referenceAnswer;
}

async function sameAsNode(answer) {
  const diff = firstDifference(answer, await reference());
  assert.equal(diff, null, `differs from Node ESM at ${diff}`);
}

test("node ESM: the reference answer holds the job's invariants", async () => {
  const a = await reference();
  const cols = shopColumns();
  assert.equal(a.rows, cols.customer.length);
  assert.equal(a.customers, new Set(cols.customer).size);
  assert.equal(a.items, new Set(cols.item).size);
  for (const p of [...a.betaGeo.probabilityAlive, ...a.churn.risk, ...a.churn.probabilityAlive]) assert.ok(p >= 0 && p <= 1, `probability ${p}`);
  for (const v of a.churn.clv) assert.ok(v >= 0 && Number.isFinite(v), `clv ${v}`);
  assert.ok(Object.values(a.betaGeo.params).every((v) => v > 0), JSON.stringify(a.betaGeo.params));
  // recommend excludes what c05 bought already, by default
  const bought = new Set(cols.item.filter((_, i) => cols.customer[i] === "c05"));
  assert.equal(a.recommend.length, Math.min(3, a.items - bought.size));
  for (const { item } of a.recommend) assert.ok(!bought.has(item), `recommended ${item}, already bought`);
  const shown = a.rank.reduce((sum, o) => sum + o.probability, 0);
  assert.ok(Math.abs(shown - 1) < 1e-9, `rank probabilities sum to ${shown}`);
  assert.ok(a.rank.some((o) => o.offer === "none"), "the 'none' offer is a candidate");
  assert.deepEqual(a.roundTrip, { betaGeo: true, churn: true, recommend: true, ranker: true, serveChurn: true, serveRecommend: true });
});

test("node require (CommonJS)", async () => {
  const dir = await clientProject("node-require", { "main.cjs": CJS_MAIN });
  await sameAsNode(printedAnswer(await run("node", ["main.cjs"], { cwd: dir })));
});

/** The bundle alone, outside any project with the package: the error names the file and the fix. */
async function assertMovedBundleNamesTheFix(runtime, bundle) {
  const away = mkdtempSync(join(tmpdir(), "regulars-bundle-"));
  try {
    const name = basename(bundle);
    copyFileSync(bundle, join(away, name));
    await assert.rejects(run(runtime, [name], { cwd: away }),
      /cannot find regulars_bg\.wasm[^\n]*copy node_modules\/regulars\/regulars_bg\.wasm next to the bundle/);
  } finally {
    rmSync(away, { recursive: true, force: true });
  }
}

test("esbuild: node bundle, ESM", async () => {
  const dir = await clientProject("esbuild-node-esm", { "main.mjs": ESM_MAIN });
  await run(tool.esbuild, ["main.mjs", "--bundle", "--platform=node", "--format=esm", "--outfile=dist/main.mjs", "--log-level=warning"], { cwd: dir });
  await sameAsNode(printedAnswer(await run("node", ["dist/main.mjs"], { cwd: dir })));
  await assertMovedBundleNamesTheFix("node", join(dir, "dist", "main.mjs"));
});

test("esbuild: node bundle, CommonJS", async () => {
  const dir = await clientProject("esbuild-node-cjs", { "main.cjs": CJS_MAIN });
  await run(tool.esbuild, ["main.cjs", "--bundle", "--platform=node", "--format=cjs", "--outfile=dist/main.cjs", "--log-level=warning"], { cwd: dir });
  await sameAsNode(printedAnswer(await run("node", ["dist/main.cjs"], { cwd: dir })));
  await assertMovedBundleNamesTheFix("node", join(dir, "dist", "main.cjs"));
});

/** The one-line shell recipe npm/README.md gives for a bundler: the sh block whose line starts with `command`. */
function readmeRecipe(command) {
  const readme = readFileSync(join(ROOT, "npm", "README.md"), "utf8");
  const line = [...readme.matchAll(/```sh\n([^\n]*)\n```/g)].map((m) => m[1]).find((l) => l.startsWith(`${command} `));
  assert.ok(line, `npm/README.md has a one-line ${command} recipe`);
  return line;
}

test("esbuild: browser bundle in Chromium (the README's recipe)", async () => {
  const dir = await clientProject("esbuild-browser", { "main.js": BROWSER_MAIN, "dist/index.html": page("./main.js") });
  // Run exactly as documented, with the tools' esbuild first on PATH.
  await run("bash", ["-c", readmeRecipe("esbuild")], { cwd: dir, env: { PATH: `${join(TOOLS_DIR, "node_modules", ".bin")}:${process.env.PATH}` } });
  await sameAsNode(await answerInChromium(join(dir, "dist")));
  // Without the copied file, init() says which file is missing and how to fix it.
  for (const wasm of ["regulars_bg.wasm", "regulars_serve_bg.wasm"]) rmSync(join(dir, "dist", wasm));
  const missing = await answerInChromium(join(dir, "dist"), "index.html", { expectError: true });
  // (either module's error may come first: both inits run at once)
  assert.match(missing ?? "", /did not copy (regulars(?:_serve)?_bg\.wasm): copy node_modules\/regulars\/\1 next to the bundle/);
});

test("webpack 5: browser bundle in Chromium", async () => {
  const build = `import { pathToFileURL } from "node:url";
const { default: webpack } = await import(pathToFileURL(process.argv[2]).href);
const dir = process.cwd();
const stats = await new Promise((ok, fail) => webpack({
  mode: "production", context: dir, entry: "./main.js", target: "web",
  output: { path: dir + "/dist", filename: "main.js" },
}, (err, stats) => (err ? fail(err) : ok(stats))));
if (stats.hasErrors()) { console.error(stats.toString("errors-only")); process.exit(1); }
`;
  const dir = await clientProject("webpack-browser", { "main.js": BROWSER_MAIN, "build.mjs": build, "dist/index.html": page("./main.js", "text/javascript") });
  await run("node", ["build.mjs", tool.webpack], { cwd: dir });
  await sameAsNode(await answerInChromium(join(dir, "dist")));
});

test("Vite: production build in Chromium", async () => {
  const dir = await clientProject("vite-browser", { "main.js": BROWSER_MAIN, "index.html": page("/main.js") });
  await run("node", [tool.vite, "build", "--logLevel", "warn"], { cwd: dir });
  await sameAsNode(await answerInChromium(join(dir, "dist")));
});

test("Bun: run", async () => {
  const dir = await clientProject("bun", { "main.mjs": ESM_MAIN });
  await sameAsNode(printedAnswer(await run(tool.bun, ["main.mjs"], { cwd: dir })));
});

test("Bun: bun build", async () => {
  const dir = await clientProject("bun-build", { "main.mjs": ESM_MAIN });
  await run(tool.bun, ["build", "main.mjs", "--target=bun", "--outfile=dist/main.js"], { cwd: dir });
  await sameAsNode(printedAnswer(await run(tool.bun, ["dist/main.js"], { cwd: dir })));
  await assertMovedBundleNamesTheFix(tool.bun, join(dir, "dist", "main.js"));
});

test("Deno", async () => {
  const dir = await clientProject("deno", { "main.mjs": ESM_MAIN });
  const env = { DENO_DIR: join(TOOLS_DIR, ".deno"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  await sameAsNode(printedAnswer(await run(tool.deno, ["run", "--allow-read", "main.mjs"], { cwd: dir, env })));
});

/** A TCP port free on 127.0.0.1 just now. */
const freePort = () => new Promise((ok, fail) => {
  const server = createServer().once("error", fail).listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => ok(port)); });
});

test("wrangler dev --local (workerd)", async () => {
  const worker = `import * as r from "regulars";\nimport * as serve from "regulars/serve";\nimport { job } from "./job.mjs";\n` +
    `export default { fetch() { return new Response(JSON.stringify(job(r, serve)), { headers: { "content-type": "application/json" } }); } };\n`;
  const config = `name = "regulars-client"\nmain = "worker.js"\ncompatibility_date = "2025-09-01"\n`;
  const dir = await clientProject("wrangler", { "worker.js": worker, "wrangler.toml": config });
  const [port, inspector] = [await freePort(), await freePort()];
  // wrangler keeps its settings and logs inside the project; no metrics, no prompts.
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", XDG_CONFIG_HOME: join(dir, ".config"), WRANGLER_LOG_PATH: join(dir, ".wrangler-logs") };
  const child = spawn(tool.node22, [tool.wrangler, "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--show-interactive-dev-session=false"],
    { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  const exited = new Promise((ok) => child.once("exit", ok));
  try {
    await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`wrangler dev not ready within 60 s:\n${log}`)), 60_000);
      const poll = setInterval(() => { if (/Ready on http/.test(log)) { clearInterval(poll); clearTimeout(timer); ok(); } }, 100);
      exited.then((code) => { clearInterval(poll); clearTimeout(timer); fail(new Error(`wrangler dev exited with ${code}:\n${log}`)); });
    });
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(30_000) });
    const body = await res.text();
    assert.equal(res.status, 200, `${body}\n${log}`);
    await sameAsNode(JSON.parse(body));
  } finally {
    // wrangler and the workerd it started share the process group made for it (detached).
    try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
    const kill = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } }, 5_000);
    await exited;
    clearTimeout(kill);
  }
});

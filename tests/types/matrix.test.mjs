// The shipped types stand alone: the installed tarball's index.d.ts, imported by name, type-checks
// with `skipLibCheck: false` under ES2022 libs, with and without the DOM lib, for moduleResolution
// node16, nodenext and bundler — with no @types/node (`types: []`) — and so do the type tests in
// usage.ts (correct calls compile; the `@ts-expect-error` lines must each be an error).
// dom.ts checks what only a DOM project can pass to init (URL, Response, WebAssembly.Module);
// dispose.ts checks `using` where the lib has Symbol.dispose; commonjs.cts a CommonJS file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT, TSC, installedProject } from "./installed.mjs";

const run = promisify(execFile);
const RESOLUTIONS = { node16: "node16", nodenext: "nodenext", bundler: "es2022" }; // moduleResolution -> module
const CELLS = [];
for (const [moduleResolution, module] of Object.entries(RESOLUTIONS)) {
  for (const dom of [false, true]) {
    CELLS.push({ name: `${moduleResolution}, es2022${dom ? " + dom" : ""}`, moduleResolution, module,
      lib: dom ? ["es2022", "dom"] : ["es2022"], files: dom ? ["usage.ts", "dom.ts"] : ["usage.ts"] });
  }
}
// A CommonJS consumer: `require` of the ES-module package, which TypeScript models under nodenext.
CELLS.push({ name: "nodenext, es2022, CommonJS file (.cts)", moduleResolution: "nodenext", module: "nodenext",
  lib: ["es2022"], files: ["commonjs.cts"] });
// `using` needs the lib's Disposable and Symbol.dispose; the package's classes must satisfy it there.
CELLS.push({ name: "nodenext, es2022 + esnext.disposable", moduleResolution: "nodenext", module: "nodenext",
  lib: ["es2022", "esnext.disposable"], files: ["usage.ts", "dispose.ts"] });
CELLS.push({ name: "bundler, es2022 + dom + esnext.disposable", moduleResolution: "bundler", module: "es2022",
  lib: ["es2022", "dom", "esnext.disposable"], files: ["usage.ts", "dom.ts", "dispose.ts"] });

const project = installedProject();
process.on("exit", project.cleanup);
for (const f of ["usage.ts", "dom.ts", "dispose.ts", "commonjs.cts"]) copyFileSync(join(ROOT, "tests", "types", f), join(project.dir, f));

test("the installed package type-checks in every cell of the matrix (tsc --noEmit, skipLibCheck false)", { timeout: 300_000 }, async (t) => {
  const failures = [];
  for (const [i, cell] of CELLS.entries()) {
    const config = `tsconfig.${i}.json`;
    writeFileSync(join(project.dir, config), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, skipLibCheck: false, target: "es2022", lib: cell.lib,
        module: cell.module, moduleResolution: cell.moduleResolution, types: [],
        // Both settings users turn on; neither may make the package's declarations fail.
        exactOptionalPropertyTypes: true, verbatimModuleSyntax: true,
      },
      files: cell.files,
    }, null, 2));
    const started = Date.now();
    try {
      await run(TSC, ["-p", config], { cwd: project.dir });
      t.diagnostic(`${cell.name}: ok (${Date.now() - started} ms)`);
    } catch (err) {
      failures.push(`${cell.name}:\n${err.stdout}${err.stderr}`);
    }
  }
  assert.deepEqual(failures, [], `tsc failed in ${failures.length} of ${CELLS.length} cells:\n${failures.join("\n")}`);
});

// `@ts-expect-error` is satisfied by any error, so a misuse line that names something which no
// longer exists would pass without testing anything: with the directives removed, every such line
// must fail for a type mismatch, not for an unknown name (TS2304/2552, TS2339/2551, TS2305/2724).
test("each @ts-expect-error line of the type tests fails for its own reason", { timeout: 120_000 }, async () => {
  const lines = readFileSync(join(ROOT, "tests", "types", "usage.ts"), "utf8").split("\n");
  const expected = lines.flatMap((l, i) => (l.trim().startsWith("// @ts-expect-error") ? [i + 2] : []));
  assert.ok(expected.length >= 40, `${expected.length} expected errors`);
  writeFileSync(join(project.dir, "usage.stripped.ts"), lines.map((l) => l.replace("// @ts-expect-error", "// (expected error)")).join("\n"));
  writeFileSync(join(project.dir, "tsconfig.stripped.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: "es2022", lib: ["es2022"], module: "nodenext", moduleResolution: "nodenext", types: [], exactOptionalPropertyTypes: true },
    files: ["usage.stripped.ts"],
  }));
  const out = await run(TSC, ["-p", "tsconfig.stripped.json", "--pretty", "false"], { cwd: project.dir }).then(
    () => assert.fail("tsc found no errors with the directives removed"), (err) => err.stdout);
  const errors = new Map();
  for (const m of out.matchAll(/^usage\.stripped\.ts\((\d+),\d+\): error (TS\d+)/gm)) errors.set(+m[1], [...(errors.get(+m[1]) ?? []), m[2]]);
  const unexpected = [...errors.keys()].filter((line) => !expected.includes(line));
  assert.deepEqual(unexpected, [], `errors outside the expected lines:\n${out}`);
  const unknownName = expected.filter((line) => (errors.get(line) ?? []).some((c) => ["TS2304", "TS2552", "TS2339", "TS2551", "TS2305", "TS2724"].includes(c)));
  assert.deepEqual(unknownName, [], `misuse lines failing on an unknown name, not a type mismatch:\n${out}`);
  assert.deepEqual(expected.filter((line) => !errors.has(line)), [], "every expected line is an error");
});

// A package users can trust: the tarball carries the users' README (not the repository's), both
// licences, the changelog, the types and the wasm; `npm publish --dry-run` has nothing to warn
// about; the README's links resolve inside the package or to its headings; and every JS snippet
// of the README either runs in Node against the installed tarball (`<!-- test: file -->`, with the
// sample shop as orders.csv) or says why it cannot (`<!-- not run in Node: … -->`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT, installedProject } from "./installed.mjs";

const run = promisify(execFile);
const project = installedProject("regulars-package-");
process.on("exit", project.cleanup);
const files = execFileSync("tar", ["-tzf", project.tgz], { encoding: "utf8" }).split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
const installed = join(project.dir, "node_modules", "regulars");
const readme = readFileSync(join(installed, "README.md"), "utf8");
const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));

test("the tarball carries the README, licences, changelog, types and wasm", () => {
  for (const f of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "CHANGELOG.md", "index.d.ts", "regulars_bg.wasm", "package.json"]) {
    assert.ok(files.includes(f), `${f} is not in the tarball (${files.join(", ")})`);
  }
  assert.equal(readme, readFileSync(join(ROOT, "npm", "README.md"), "utf8"), "the README is npm/README.md");
  assert.doesNotMatch(readme, /\bmake (demo|test|build)\b|cargo |rustup/, "no developer instructions in the users' README");
  assert.match(readFileSync(join(installed, "LICENSE-MIT"), "utf8"), /^MIT License\n\nCopyright \(c\) \d{4} the regulars authors\n/);
  assert.match(readFileSync(join(installed, "LICENSE-APACHE"), "utf8"), /Apache License\s+Version 2\.0, January 2004/);
  assert.equal(manifest.license, "MIT OR Apache-2.0");
  assert.match(readFileSync(join(installed, "CHANGELOG.md"), "utf8"), new RegExp(`## \\[Unreleased\\][\\s\\S]*## \\[${manifest.version.replace(/\./g, "\\.")}\\]`));
});

test("npm publish --dry-run in pkg/ warns about nothing but the missing login", { timeout: 60_000 }, async () => {
  const { stderr } = await run("npm", ["publish", "--dry-run"], { cwd: join(ROOT, "pkg") });
  const warnings = stderr.split("\n").filter((l) => /^npm (warn|WARN|error|ERR)/.test(l) && !/requires you to be logged in/.test(l));
  assert.deepEqual(warnings, [], stderr);
  for (const field of ["repository", "homepage", "bugs"]) assert.ok(manifest[field], `package.json has ${field}`);
  assert.match(manifest.repository.url, /^git\+https:\/\/.+\.git$/);
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");

test("the README's links point into the package, to its headings or to absolute URLs", () => {
  const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
  const bad = [];
  for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^https:\/\//.test(target)) continue;
    if (target.startsWith("#")) { if (!anchors.has(target.slice(1))) bad.push(target); continue; }
    if (!files.includes(target.replace(/^\.\//, ""))) bad.push(target);
  }
  assert.deepEqual(bad, [], "links that lead nowhere for a package user");
});

// The README's fenced JS/HTML blocks, each with the marker comment before it.
const blocks = [...readme.matchAll(/(?:<!-- (test: (\S+)|not run in Node: [^>]+) -->\n)?```(js|html)\n([\s\S]*?)```/g)]
  .map(([, marker, file, lang, code]) => ({ marker, file, lang, code }));

test("every JS and HTML block of the README is run below or says why not", () => {
  assert.ok(blocks.length >= 10);
  assert.deepEqual(blocks.filter((b) => !b.marker).map((b) => b.code.split("\n")[0]), []);
  assert.ok(blocks.filter((b) => b.file).length >= 8);
});

copyFileSync(join(ROOT, "www", "public", "sample", "online-retail-sample.csv"), join(project.dir, "orders.csv"));
for (const { file, code } of blocks.filter((b) => b.file)) {
  test(`README snippet ${file} runs against the installed package`, { timeout: 120_000 }, async () => {
    writeFileSync(join(project.dir, file), code);
    const { stdout, stderr } = await run(process.execPath, [file], { cwd: project.dir }).catch((err) =>
      assert.fail(`${file} failed:\n${err.stdout}\n${err.stderr}`));
    assert.equal(stderr.replace(/^\(node:\d+\) ExperimentalWarning: .*\n(\(Use .*\n)?/m, ""), "", `${file} wrote to stderr`);
    if (file !== "node-esm.mjs" && file !== "node-require.cjs") assert.notEqual(stdout.trim(), "", `${file} printed nothing`);
  });
}

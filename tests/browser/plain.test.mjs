// The package in a plain <script type="module"> page, no bundler: the installed tarball's
// node_modules/regulars is served as it is, the
// page maps the bare name "regulars" to the package's browser entry with an import map, calls
// init() once and uses the API. Fails on any console error or page error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { installedPackageDir } from "../../scripts/installed-package.mjs";
import { ROOT, serve, launchChromium, watchErrors } from "./harness.mjs";

test("the installed package works from a plain module page after init()", { timeout: 60_000 }, async () => {
  const pkgDir = installedPackageDir();
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const dot = manifest.exports?.["."] ?? manifest.exports;
  const pick = (e) => (typeof e === "string" ? e : e && (pick(e.browser) ?? pick(e.import) ?? pick(e.default)));
  const entry = pick(dot).replace(/^\.\//, "");
  const site = mkdtempSync(join(tmpdir(), "regulars-plain-"));
  const userDir = mkdtempSync(join(tmpdir(), "regulars-chromium-"));
  const html = readFileSync(join(ROOT, "tests", "browser", "plain", "index.html"), "utf8").replace(
    "<!--IMPORTMAP-->",
    `<script type="importmap">${JSON.stringify({ imports: { regulars: `/pkg/${entry}` } })}</script>`,
  );
  writeFileSync(join(site, "index.html"), html);
  const server = await serve(site, { "/pkg/": pkgDir });
  const browser = await launchChromium(userDir);
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    const errors = [];
    watchErrors(page, errors);
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.state !== "loading", null, { timeout: 30_000 });
    const out = await page.locator("#out").innerText();
    assert.equal(await page.evaluate(() => document.body.dataset.state), "ready", out);
    const r = JSON.parse(out);
    assert.equal(r.customers, 3);
    assert.equal(r.rows, 5);
    // ann: purchases on days 0, 3, 10 -> 2 repeats, recency 10, T 10; bob and cy: one purchase each.
    const ann = r.ids.indexOf("ann");
    assert.deepEqual([r.frequency[ann], r.recency[ann], r.T[ann]], [2, 10, 10]);
    const bob = r.ids.indexOf("bob");
    assert.deepEqual([r.frequency[bob], r.recency[bob], r.T[bob]], [0, 0, 9]);
    assert.match(r.error ?? "", /time\[0\]/, "errors name the argument");
    assert.deepEqual(errors, [], errors.join("\n"));
  } finally {
    await browser.close();
    await server.close();
    rmSync(site, { recursive: true, force: true });
    rmSync(userDir, { recursive: true, force: true });
  }
});

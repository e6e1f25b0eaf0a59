// The repository carries everything its tests use: no tracked file may name a path outside it
// (a sibling folder of the workplace, a machine's absolute path), so a clone with nothing beside
// it runs `make test` as it is.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
// Lock files list registry URLs only; data files are not code.
const skip = /(^|\/)(package-lock\.json|Cargo\.lock)$|\.(gz|csv|txt|wasm|png|bin)$/;
// Absolute paths of a machine, and the workplace's sibling folders.
// (Spelled in pieces so that this file does not name them itself.)
const [work, shared] = ["/wo" + "rk/", "../sha" + "red"];
const absolute = new RegExp(`(^|[\\s"'\`(=:])(${work}|/home/[a-z]|/root/|/Users/)|\\.\\./sha${"red"}\\b`);
const relative = /(?:\.\.\/)+[A-Za-z0-9_.-]+/g;

function offences(file, text) {
  const found = [];
  text.split("\n").forEach((line, i) => {
    if (absolute.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    // A symlink's target is relative to the link, not to the file that makes it.
    if (/\bln -s/.test(line)) return;
    for (const token of line.match(relative) ?? []) {
      const resolved = path.normalize(path.join(path.dirname(file), token));
      if (resolved.startsWith("..")) found.push(`${file}:${i + 1}: ${token} leaves the repository`);
    }
  });
  return found;
}

test("no tracked file names a path outside the repository", () => {
  const found = [];
  for (const file of tracked) {
    if (skip.test(file) || statSync(path.join(root, file)).size > 2_000_000) continue;
    const text = readFileSync(path.join(root, file), "utf8");
    if (text.includes("\0")) continue;
    found.push(...offences(file, text));
  }
  assert.deepEqual(found, []);
});

test("the check itself catches what it is for", () => {
  assert.equal(offences("tests/common/mod.rs", `join("${shared}/data")`).length, 1);
  assert.equal(offences("benches/x.py", `"${work}data/a.csv"`).length, 1);
  assert.equal(offences("tests/js/a.mjs", `path.join(root, "${"../".repeat(3)}data")`).length, 1);
  assert.equal(offences("tests/js/a.mjs", 'path.join(here, "../data/x.csv")').length, 0);
});

test("every tracked file is at most 4 MB", () => {
  const big = tracked.filter((f) => statSync(path.join(root, f)).size > 4 * 1024 * 1024);
  assert.deepEqual(big, []);
});

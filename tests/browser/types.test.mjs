// npm/index.d.ts against the package: every runtime export of pkg/ is declared in the types, every
// class's methods are declared (the type checks themselves are in tests/types/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, importPackage } from "./harness.mjs";

const dts = readFileSync(join(ROOT, "npm", "index.d.ts"), "utf8");

test("every export of the package is declared in npm/index.d.ts", async () => {
  const regulars = await importPackage();
  const undeclared = Object.keys(regulars)
    .filter((name) => name !== "default")
    .filter((name) => !new RegExp(`export (declare )?(class|function|const|let) ${name}\\b`).test(dts));
  assert.deepEqual(undeclared, [], `exports missing from npm/index.d.ts: ${undeclared.join(", ")}`);
});

test("every public method and property of the package's classes is declared", async () => {
  const regulars = await importPackage();
  const missing = [];
  for (const [name, value] of Object.entries(regulars)) {
    if (typeof value !== "function" || !/^[A-Z]/.test(name)) continue;
    const start = dts.search(new RegExp(`export class ${name}\\b`));
    if (start < 0) continue; // reported by the test above
    const body = dts.slice(start, dts.indexOf("\n}\n", start));
    const members = [
      ...Object.getOwnPropertyNames(value).filter((m) => !["length", "name", "prototype"].includes(m) && !m.startsWith("__")),
      ...Object.getOwnPropertyNames(value.prototype).filter((m) => m !== "constructor" && !m.startsWith("__")),
    ];
    for (const m of members) if (!new RegExp(`\\b${m}\\b`).test(body)) missing.push(`${name}.${m}`);
  }
  assert.deepEqual(missing, [], `members missing from npm/index.d.ts: ${missing.join(", ")}`);
});

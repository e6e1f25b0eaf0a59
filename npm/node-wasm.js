// Reads a .wasm file of the package for the Node entries (node.js, serve-node.js; also Bun's and
// Deno's). Beside the entry is where the installed package has it; a bundler that inlines the
// entry (esbuild, `bun build`) moves the code but not the file, so the package is looked up in
// node_modules as well, from the bundle's folder and from the working directory. When none has
// it, the error names the file and the fix.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function readPackageWasm(name, moduleUrl) {
  // In a CommonJS bundle `import.meta.url` is empty; `__filename` is the bundle's file there.
  const here = moduleUrl ? fileURLToPath(moduleUrl) : typeof __filename === "string" ? __filename : undefined;
  const candidates = here ? [join(dirname(here), name)] : [];
  for (const from of [here, join(process.cwd(), "index.js")]) {
    if (!from) continue;
    try { candidates.push(createRequire(from).resolve(`regulars/${name}`)); } catch { /* not installed there */ }
  }
  for (const file of new Set(candidates)) {
    try { return readFileSync(file); } catch (err) { if (err.code !== "ENOENT") throw err; }
  }
  throw new Error(`regulars: cannot find ${name} (looked beside ${here ?? "the bundle"} and for node_modules/regulars). ` +
    `A bundle that runs outside the project needs the file beside it: copy node_modules/regulars/${name} next to the bundle, ` +
    `or leave the package out of the bundle (esbuild --external:regulars, bun build --external regulars).`);
}

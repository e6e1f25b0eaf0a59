// Node module hooks that load `import x from "./file.wasm"` the way workerd and wrangler do (the
// default export is the compiled WebAssembly.Module), so the drift check can load the package's
// workerd entry in Node. Registered by drift.test.mjs with module.register.
export async function load(url, context, nextLoad) {
  if (!url.endsWith(".wasm")) return nextLoad(url, context);
  const source = `import { readFileSync } from "node:fs";
export default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));`;
  return { format: "module", source, shortCircuit: true };
}

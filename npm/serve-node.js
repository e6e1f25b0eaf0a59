// `regulars/serve` Node entry (the serving build): instantiates the module synchronously, so `await import("regulars/serve")` is ready to use.
import { initSync } from "./regulars_serve.js";
import { readPackageWasm } from "./node-wasm.js";
import "./serve-extend.js";

initSync({ module: readPackageWasm("regulars_serve_bg.wasm", import.meta.url) });

export * from "./regulars_serve.js";
/** Already initialised in Node; kept so the same code runs in every runtime. */
export default async function init() {}

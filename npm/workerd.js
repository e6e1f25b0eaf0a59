// workerd / Cloudflare Workers entry: the runtime compiles the imported .wasm module at deploy
// time, so instantiation here is synchronous and needs no fetch.
import wasmModule from "./regulars_bg.wasm";
import { initSync } from "./regulars.js";

initSync({ module: wasmModule });

export * from "./regulars.js";
/** Already initialised in workerd; kept so the same code runs in every runtime. */
export default async function init() {}

// `regulars/serve` workerd / Cloudflare Workers entry (the serving build): the runtime compiles the imported .wasm module at deploy
// time, so instantiation here is synchronous and needs no fetch.
import wasmModule from "./regulars_serve_bg.wasm";
import { initSync } from "./regulars_serve.js";
import "./serve-extend.js";

initSync({ module: wasmModule });

export * from "./regulars_serve.js";
/** Already initialised in workerd; kept so the same code runs in every runtime. */
export default async function init() {}

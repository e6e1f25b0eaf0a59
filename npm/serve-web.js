// `regulars/serve` browser and bundler entry (the serving build): call `await init()` once (or `initSync({ module })`) before use.
import "./serve-extend.js";
import { wasmInit } from "./web-init.js";
import glueInit from "./regulars_serve.js";
export * from "./regulars_serve.js";
/** Loads regulars_serve_bg.wasm (from beside this module unless `module_or_path` says where). */
export default wasmInit(glueInit, "regulars_serve_bg.wasm");

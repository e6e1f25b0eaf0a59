// Browser and bundler entry: call `await init()` once (or `initSync({ module })`) before use.
import "./extend.js";
import { wasmInit } from "./web-init.js";
import glueInit from "./regulars.js";
export * from "./regulars.js";
/** Loads regulars_bg.wasm (from beside this module unless `module_or_path` says where). */
export default wasmInit(glueInit, "regulars_bg.wasm");

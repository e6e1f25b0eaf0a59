// Node entry: instantiates the module synchronously, so `await import("regulars")` is ready to use.
import { initSync } from "./regulars.js";
import { readPackageWasm } from "./node-wasm.js";
import "./extend.js";

initSync({ module: readPackageWasm("regulars_bg.wasm", import.meta.url) });

export * from "./regulars.js";
/** Already initialised in Node; kept so the same code runs in every runtime. */
export default async function init() {}

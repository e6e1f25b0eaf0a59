// Node entry: instantiates the module synchronously, so `await import("regulars")` is ready to use.
import { readFileSync } from "node:fs";
import { initSync } from "./regulars.js";

initSync({ module: readFileSync(new URL("./regulars_bg.wasm", import.meta.url)) });

export * from "./regulars.js";
/** Already initialised in Node; kept so the same code runs in every runtime. */
export default async function init() {}

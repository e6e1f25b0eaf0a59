// `regulars/serve` browser and bundler entry (the serving build): call `await init()` once (or `initSync({ module })`) before use.
import "./serve-extend.js";
export * from "./regulars_serve.js";
export { default } from "./regulars_serve.js";

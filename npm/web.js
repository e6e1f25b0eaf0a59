// Browser and bundler entry: call `await init()` once (or `initSync({ module })`) before use.
import "./extend.js";
export * from "./regulars.js";
export { default } from "./regulars.js";

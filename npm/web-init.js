// The browser entries' `init`: wasm-bindgen's, plus the fix in the message when the .wasm could not
// be fetched from its default place (a bundler such as esbuild or `bun build` moved the code into a
// bundle but did not copy the file beside it).
export function wasmInit(glueInit, name) {
  return async function init(options) {
    try {
      return await glueInit(options);
    } catch (err) {
      if (options !== undefined || !/failed to fetch Wasm/.test(err?.message ?? "")) throw err;
      throw new Error(`regulars: ${err.message}. If a bundler built this page, it did not copy ${name}: ` +
        `copy node_modules/regulars/${name} next to the bundle, or pass its URL: init({ module_or_path: url }).`, { cause: err });
    }
  };
}

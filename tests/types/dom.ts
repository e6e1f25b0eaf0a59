// Type tests for a project with the DOM lib: everything a browser can hand to init/initSync.
import init, { initSync } from "regulars";

export async function load(bytes: ArrayBuffer, module: WebAssembly.Module): Promise<void> {
  await init();
  await init(new URL("./regulars_bg.wasm", "https://shop.example/"));
  await init("/assets/regulars_bg.wasm");
  await init(fetch("/assets/regulars_bg.wasm"));
  await init({ module_or_path: await fetch("/assets/regulars_bg.wasm") });
  await init(new Request("/assets/regulars_bg.wasm"));
  initSync({ module });
  initSync(module);
  initSync({ module: bytes });
  initSync(new Uint8Array(bytes));
}

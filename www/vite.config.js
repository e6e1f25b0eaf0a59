// Vite config for the demo. `regulars` resolves to the tarball `make pack` writes, installed in
// target/installed/<hash>/ (scripts/installed-package.mjs): its "browser" export, web.js, which
// loads regulars_bg.wasm via new URL(..., import.meta.url), so Vite copies the wasm into
// dist/assets. REGULARS_PKG=/some/dir points it at another copy of the package.
import { defineConfig } from "vite";
import { readFileSync, existsSync } from "node:fs";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { installedPackageDir } from "../scripts/installed-package.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = process.env.REGULARS_PKG ? resolve(process.env.REGULARS_PKG) : installedPackageDir();

function browserEntry(dir) {
  const manifest = resolve(dir, "package.json");
  if (!existsSync(manifest)) {
    throw new Error(`regulars package not found in ${dir}: run \`make pack\` first (or set REGULARS_PKG)`);
  }
  const pkg = JSON.parse(readFileSync(manifest, "utf8"));
  const dot = pkg.exports?.["."] ?? pkg.exports;
  const pick = (e) => (typeof e === "string" ? e : e && (pick(e.browser) ?? pick(e.import) ?? pick(e.default)));
  return resolve(dir, pick(dot) ?? pkg.module ?? pkg.main ?? "web.js");
}

export default defineConfig({
  root: here,
  base: "./",
  resolve: { alias: [{ find: /^regulars$/, replacement: browserEntry(pkgDir) }] },
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  server: { host: "127.0.0.1", fs: { allow: [here, pkgDir] } },
  preview: { host: "127.0.0.1" },
});

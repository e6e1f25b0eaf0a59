#!/usr/bin/env bash
# Builds pkg/, the npm package `regulars`: two wasm modules (`regulars` with everything,
# `regulars/serve` without fitting), each with its wasm-bindgen glue (target web), thin entries per
# runtime (node.js, workerd.js, web.js; serve-*.js) and hand-written types.
# wasm-pack is not used: it builds one runtime per package and downloads its own wasm-opt;
# this is the same cargo + wasm-bindgen + wasm-opt pipeline, producing one package for all.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf pkg.tmp && mkdir -p pkg.tmp
# build_entry OUT_NAME CARGO_ARGS...: one wasm + its glue. `regulars` is the default (fit) build;
# `regulars_serve` (entry `regulars/serve`) is built without the `fit` feature, into its own
# target dir so the two builds do not invalidate each other's cache.
build_entry() {
  local name=$1; shift
  cargo build --lib --profile wasm --target wasm32-unknown-unknown "$@"
  local dir=target; [ "$name" = regulars ] || dir=target/serve
  wasm-bindgen --target web --out-dir pkg.tmp --out-name "$name" "$dir/wasm32-unknown-unknown/wasm/regulars.wasm"
  if [ -x node_modules/.bin/wasm-opt ]; then
    # --low-memory-unused: Rust's module keeps its stack below 1 MiB and data above it, and never
    # relies on an address wrapping around, so wasm-opt may fold `address + constant` into the
    # load/store offset (the result only differs where such an add would wrap). ~1.2 KB gzipped
    # smaller, and engines no longer compute those addresses with separate adds.
    node_modules/.bin/wasm-opt -O3 --low-memory-unused --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "pkg.tmp/${name}_bg.wasm" -o "pkg.tmp/${name}_bg.opt.wasm"
    mv "pkg.tmp/${name}_bg.opt.wasm" "pkg.tmp/${name}_bg.wasm"
  else
    echo "build-pkg: wasm-opt not installed (npm ci installs binaryen); the module is not size-optimised" >&2
  fi
}
build_entry regulars
build_entry regulars_serve --no-default-features --target-dir target/serve
cp npm/node.js npm/node-wasm.js npm/workerd.js npm/web.js npm/web-init.js npm/extend.js npm/extend-classes.js npm/package.json pkg.tmp/
cp npm/serve-node.js npm/serve-workerd.js npm/serve-web.js npm/serve-extend.js npm/serve.d.ts pkg.tmp/
if [ -f npm/index.d.ts ]; then cp npm/index.d.ts pkg.tmp/index.d.ts; else cp pkg.tmp/regulars.d.ts pkg.tmp/index.d.ts; fi
# The package carries the users' README (npm/README.md), not the repository's, and the licences.
cp npm/README.md LICENSE-MIT LICENSE-APACHE CHANGELOG.md pkg.tmp/
rm -rf pkg && mv pkg.tmp pkg
for w in pkg/regulars_bg.wasm pkg/regulars_serve_bg.wasm; do
  echo "build-pkg: $w $(wc -c < $w) bytes, $(gzip -9 -c $w | wc -c) gzipped"
done

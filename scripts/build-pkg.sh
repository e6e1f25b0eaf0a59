#!/usr/bin/env bash
# Builds pkg/, the npm package `regulars`: one wasm module and one wasm-bindgen glue (target web),
# with thin entries per runtime (node.js, workerd.js) and the hand-written types.
# wasm-pack is not used: it builds one runtime per package and downloads its own wasm-opt;
# this is the same cargo + wasm-bindgen + wasm-opt pipeline, producing one package for all.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --lib --profile wasm --target wasm32-unknown-unknown
rm -rf pkg.tmp && mkdir -p pkg.tmp
wasm-bindgen --target web --out-dir pkg.tmp --out-name regulars \
  target/wasm32-unknown-unknown/wasm/regulars.wasm
if [ -x node_modules/.bin/wasm-opt ]; then
  # --low-memory-unused: Rust's module keeps its stack below 1 MiB and data above it, and never
  # relies on an address wrapping around, so wasm-opt may fold `address + constant` into the
  # load/store offset (the result only differs where such an add would wrap). ~1.2 KB gzipped
  # smaller, and engines no longer compute those addresses with separate adds.
  node_modules/.bin/wasm-opt -O3 --low-memory-unused --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    pkg.tmp/regulars_bg.wasm -o pkg.tmp/regulars_bg.opt.wasm
  mv pkg.tmp/regulars_bg.opt.wasm pkg.tmp/regulars_bg.wasm
else
  echo "build-pkg: wasm-opt not installed (npm ci installs binaryen); the module is not size-optimised" >&2
fi
cp npm/node.js npm/workerd.js npm/web.js npm/extend.js npm/package.json pkg.tmp/
if [ -f npm/index.d.ts ]; then cp npm/index.d.ts pkg.tmp/index.d.ts; else cp pkg.tmp/regulars.d.ts pkg.tmp/index.d.ts; fi
# The package carries the users' README (npm/README.md), not the repository's, and the licences.
cp npm/README.md LICENSE-MIT LICENSE-APACHE CHANGELOG.md pkg.tmp/
rm -rf pkg && mv pkg.tmp pkg
echo "build-pkg: pkg/regulars_bg.wasm $(wc -c < pkg/regulars_bg.wasm) bytes, $(gzip -9 -c pkg/regulars_bg.wasm | wc -c) gzipped"

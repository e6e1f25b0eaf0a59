# regulars — `make demo` and `make test` are the two commands a newcomer needs; both install
# whatever is missing first (idempotently: a second run installs nothing).
SHELL := /bin/bash
.DEFAULT_GOAL := help
export CARGO_TERM_COLOR := never

WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"/\1/p;}' Cargo.lock)
RUST_SOURCES := $(shell find src -name '*.rs') Cargo.toml Cargo.lock .cargo/config.toml
NPM_SOURCES := $(wildcard npm/*)

.PHONY: help peers spark-venv test-spark setup tools pack test-clients tools-fuzz test-fuzz test-browser test-workerd browser demo test test-rust test-js test-types test-size test-browser test-workerd build bench fuzz clean

help:
	@echo "make demo   — install what is missing, build, print the sample shop's retention report, serve the demo"
	@echo "make test   — everything the project checks (Rust, Node, types, size, browser, workerd, clients, fuzz, Spark)"
	@echo "make build  — the npm package in pkg/"
	@echo "make pack   — the tarball users get, regulars-<version>.tgz"
	@echo "make bench  — criterion benches and the side-by-side comparisons with lifetimes and implicit"

## Installs -------------------------------------------------------------------------------------
setup: tools node_modules/.installed

tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || { echo "installing the wasm32 target"; rustup target add wasm32-unknown-unknown; }
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] \
	  || { echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); }

# The fuzzers need nightly Rust and cargo-fuzz (libFuzzer).
tools-fuzz:
	@rustup toolchain list | grep -q '^nightly' \
	  || { echo "installing the nightly toolchain"; rustup toolchain install nightly --profile minimal; }
	@command -v cargo-fuzz >/dev/null \
	  || { echo "installing cargo-fuzz"; cargo install cargo-fuzz --locked; }

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian's Chromium for the browser tests (no browser downloads on these machines).
browser:
	@[ -x /usr/bin/chromium ] || { echo "installing Debian's chromium"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

## Build ----------------------------------------------------------------------------------------
build: setup pkg/regulars_bg.wasm

# The tarball users get: `npm pack` of pkg/, written to the repository root. The tests, the demo
# and the benches install it into target/installed/<hash>/ (scripts/installed-package.mjs) and use
# it from there, as a user would. The root package.json is the private dev manifest; its prepack
# refuses `npm pack` at the root and points here.
PACK_VERSION := $(shell node -p 'require("./npm/package.json").version' 2>/dev/null)
TARBALL := regulars-$(PACK_VERSION).tgz
pack: $(TARBALL)
$(TARBALL): pkg/regulars_bg.wasm | setup
	@rm -f regulars-*.tgz
	npm pack ./pkg --pack-destination . --no-audit --no-fund --loglevel=error >/dev/null
	@node scripts/installed-package.mjs >/dev/null
	@echo "pack: $(TARBALL) ($$(wc -c < $(TARBALL)) bytes), installed in $$(node scripts/installed-package.mjs)"

# setup first: wasm-bindgen and wasm-opt (npm binaryen) must be installed before the build runs.
pkg/regulars_bg.wasm: $(RUST_SOURCES) $(NPM_SOURCES) LICENSE-MIT LICENSE-APACHE CHANGELOG.md scripts/build-pkg.sh | setup
	bash scripts/build-pkg.sh

## Tests ----------------------------------------------------------------------------------------
test: test-rust test-js test-types test-size test-browser test-workerd test-clients test-fuzz test-spark
	@echo "make test: Rust, Node, types, size, browser, workerd, clients, fuzz and Spark checks all passed"
	@echo "checks: 9 passed, 0 failed"

test-rust:
	cargo test --release

test-js: pack
	node --test tests/js/

# The packed tarball installed in temporary projects: its types checked by tsc for each module
# resolution × lib (with and without DOM), skipLibCheck off, and compared with what the module
# really exports (classes, static and instance members, both ways); its files, its README's
# snippets (run in Node) and links, and a clean `npm publish --dry-run`.
test-types: pack
	node --test tests/types/

test-size: build
	node scripts/size-check.mjs

# The demo built with Vite and driven in headless Debian Chromium (Playwright), plus a plain
# <script type="module"> page; screenshots go to artifacts/screenshots/.
test-browser: pack browser
	npx vite build www --logLevel warn
	node --test tests/browser/

# The edge-worker example in workerd (Cloudflare's runtime, from npm) on 127.0.0.1.
test-workerd: pack
	node --test tests/workerd/

# The installed tarball in real clients, each in a fresh project running one job
# (tests/clients/job.mjs) whose answer must equal Node ESM's: Node require, esbuild bundles for
# Node (ESM, CommonJS) and the browser, webpack 5 and Vite bundles in headless Chromium, Bun (run,
# bun build), Deno and wrangler dev --local. The tools install from npm once, into
# target/clients/tools. Ends with "clients: N passed, N failed".
test-clients: pack browser
	node --test --test-concurrency=1 --test-reporter=./tests/clients/reporter.mjs tests/clients/

# Spark (pyspark 4 from PyPI, in target/spark-venv; Java 17+ must be installed) runs the spark/
# jobs in local[2] on Online Retail and tests/spark/edge_cases.csv (tests/spark/run_spark.py,
# which prints its timings), then Node checks the output against the installed tarball:
# summaries equal tx.summary(...) on every customer, factor files' shapes, top-10 == numpy's.
SPARK_VENV := target/spark-venv
spark-venv: $(SPARK_VENV)/.installed
$(SPARK_VENV)/.installed:
	@command -v java >/dev/null || { echo "test-spark needs Java 17 or later (apt-get install openjdk-17-jre-headless)"; exit 1; }
	@echo "installing pyspark and numpy into $(SPARK_VENV)"
	python3 -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install -q 'pyspark>=4,<5' numpy
	@touch $@

test-spark: pack spark-venv
	@start=$$(date +%s); $(SPARK_VENV)/bin/python tests/spark/run_spark.py 2> target/spark-test.log \
	  || { tail -40 target/spark-test.log; exit 1; }; \
	  node --test tests/spark/ && echo "test-spark: $$(( $$(date +%s) - start )) s in all (Spark's log: target/spark-test.log)"

# Each fuzz target for a short bounded time on the committed corpus; `make fuzz` runs longer.
test-fuzz: tools-fuzz
	bash scripts/fuzz.sh 15

fuzz: tools-fuzz
	MERGE=1 bash scripts/fuzz.sh $${FUZZ_SECONDS:-600}

## Demo -----------------------------------------------------------------------------------------
demo: pack
	node scripts/demo-report.mjs
	npx vite build www --logLevel warn
	@echo "Serving the demo page — open the URL below (Ctrl-C to stop)."
	npx vite preview www --host 127.0.0.1 --port 5173

## Benchmarks -----------------------------------------------------------------------------------
# The Python peers for the side-by-side scripts, from PyPI.
peers:
	@python3 -c "import lifetimes, implicit" 2>/dev/null \
	  || { echo "installing lifetimes and implicit"; python3 -m pip install -q lifetimes implicit threadpoolctl; }

bench: pack peers
	cargo bench
	node benches/side_by_side_churn.mjs
	node benches/side_by_side_recommend.mjs
	node benches/offers_rank.mjs

clean:
	rm -rf pkg pkg.tmp target node_modules regulars-*.tgz

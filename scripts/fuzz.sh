#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 15) on its committed corpus and prints the
# total executions. Any crash fails the run (libFuzzer exits non-zero and saves the input under
# fuzz/artifacts/). New corpus entries go to a scratch folder so `make test` leaves the tree clean;
# `make fuzz` (MERGE=1) merges what is new back into the committed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
total=0
for target in $(cargo +nightly fuzz list); do
  mkdir -p "fuzz/corpus/$target"
  scratch=$(mktemp -d)
  log=$(mktemp)
  if ! cargo +nightly fuzz run "$target" "$scratch" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: target $target FAILED" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz: $target: ${runs:-0} executions in ${seconds}s, no crash"
  total=$((total + ${runs:-0}))
  if [ "${MERGE:-0}" = 1 ]; then
    cargo +nightly fuzz cmin "$target" "fuzz/corpus/$target" >/dev/null 2>&1 || true
    cp -n "$scratch"/* "fuzz/corpus/$target/" 2>/dev/null || true
  fi
  rm -rf "$scratch" "$log"
done
echo "fuzz: $total executions in total, 0 crashes"

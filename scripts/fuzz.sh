#!/usr/bin/env bash
# make fuzz: every libFuzzer target for FUZZ_RUNS executions (default 1,000,000) each, and
# at most FUZZ_SECONDS (default 300), from its committed seed corpus (Fuzz/corpus/<target>/). Built in release with coverage instrumentation
# (-sanitize=fuzzer) in .build-fuzz/, then linked again without SwiftPM's renaming of
# `main` (libFuzzer brings its own). Prints executions and findings per target; a crash
# is copied into Fuzz/corpus/<target>/ (FuzzCorpusTests then replays it in make test
# until fixed) and the script fails.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build-fuzz
SECONDS_EACH=${FUZZ_SECONDS:-300}
RUNS_EACH=${FUZZ_RUNS:-1000000}
TARGETS=${FUZZ_TARGETS:-"fuzz-pos-json fuzz-pos-csv fuzz-inventory fuzz-clock-mark fuzz-ingest-lines fuzz-nats-protocol"}
SCRATCH=.build-fuzz
BIN=$SCRATCH/x86_64-unknown-linux-gnu/release
WORK=$SCRATCH/work
found=0
for target in $TARGETS; do
  # Compiles everything; SwiftPM's own link fails (libFuzzer's main and SwiftPM's --defsym
  # main=<module>_main collide), so the link is done here, without the --defsym.
  swift build -c release --scratch-path "$SCRATCH" -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING --product "$target" \
    >"$SCRATCH/build-$target.log" 2>&1 || true
  module=${target//-/_}
  swiftc -L/usr/lib/x86_64-linux-gnu -lrocksdb -lzstd -L "$BIN" -o "$BIN/$target" -module-name "$module" -emit-executable \
    -Xlinker --gc-sections -Xlinker '-rpath=$ORIGIN' @"$BIN/$target.product/Objects.LinkFileList" \
    -target x86_64-unknown-linux-gnu -sanitize=fuzzer
  rm -rf "$WORK/$target" && mkdir -p "$WORK/$target/corpus" "$WORK/$target/crashes"
  cp Fuzz/corpus/"$target"/* "$WORK/$target/corpus/"
  status=0
  began=$SECONDS
  # Swift's backtracer off, so that libFuzzer's own handler writes the crashing input.
  SWIFT_BACKTRACE=enable=no "$BIN/$target" "$WORK/$target/corpus" -runs="$RUNS_EACH" -max_total_time="$SECONDS_EACH" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$WORK/$target/crashes/" >"$WORK/$target.log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$target.log" | grep -o '[0-9]*$' || echo 0)
  grown=$(ls "$WORK/$target/corpus" | wc -l)
  crashes=$(ls "$WORK/$target/crashes" | wc -l)
  echo "$target: $runs executions in $((SECONDS - began))s, corpus $(ls Fuzz/corpus/$target | wc -l) -> $grown inputs, $crashes findings"
  if [ "$crashes" -gt 0 ] || [ "$status" -ne 0 ]; then
    found=1
    for crash in "$WORK/$target/crashes"/*; do
      [ -f "$crash" ] || continue
      cp "$crash" "Fuzz/corpus/$target/$(basename "$crash")"
      echo "  kept $(basename "$crash") in Fuzz/corpus/$target/ (reproduce: swift run $target Fuzz/corpus/$target/$(basename "$crash"))"
    done
    grep -m3 -E "Fatal error|precondition|ERROR:" "$WORK/$target.log" | sed 's/^/  /' || true
  fi
done
exit $found

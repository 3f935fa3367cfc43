#!/usr/bin/env bash
# The long crash test of issue 4: `replay edge` killed with SIGKILL at random moments,
# restarted each time with the same command and state directory, then run to the end;
# the outputs must equal those of one uninterrupted run, byte for byte.
#
#   scripts/crash-test.sh [KILLS] [LINES] [STATE]    defaults: 100 kills, 200000 lines, rocksdb
#
# Uses the release build (built if needed). The CI runs a 20-kill version of this as a
# Swift test (Tests/EndToEndTests/RecoveryTests.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-100}
LINES=${2:-200000}
STATE=${3:-rocksdb}
swift build -c release --product tillflow >/dev/null
T=$(swift build -c release --show-bin-path)/tillflow
W=$(mktemp -d /tmp/tillflow-crash-XXXXXX)
trap 'rm -rf "$W"' EXIT

"$T" generate inventory --locations 20 --skus 300 --count "$LINES" --seed "$RANDOM" --out "$W/in.jsonl" >/dev/null
# `exec`, so that the pid of a backgrounded `run` is tillflow's own and the kill reaches it.
run() { exec "$T" replay edge --input "$W/in.jsonl" --out "$1" --state "$STATE" --checkpoint-interval 50ms --batch-lines 512; }
(run "$W/reference" >/dev/null)
reference_ms=$(( $(date +%s%N) / 1000000 ))
(run "$W/timing" >/dev/null)
reference_ms=$(( $(date +%s%N) / 1000000 - reference_ms ))
echo "one uninterrupted run: ${reference_ms} ms; killing $KILLS times within that"

killed=0
for i in $(seq 1 "$KILLS"); do
    run "$W/crashed" >/dev/null 2>"$W/stderr" &
    pid=$!
    sleep "$(awk -v r="$RANDOM" -v t="$reference_ms" -v k="$KILLS" 'BEGIN { printf "%.3f", (r / 32768) * (t * 3 / k + 100) / 1000 }')"
    if kill -KILL "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
    wait "$pid" 2>/dev/null || true
done
(run "$W/crashed" > "$W/summary")
echo "killed $killed times; last run: $(head -1 "$W/summary")"
status=0
for f in "$W"/reference/*.jsonl; do
    name=$(basename "$f")
    if cmp -s "$f" "$W/crashed/$name"; then echo "same  $name"; else echo "DIFF  $name"; status=1; fi
done
exit $status

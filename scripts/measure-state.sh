#!/usr/bin/env bash
# The measurements of issue 4: RocksDB vs memory state on the turnover job, one
# checkpoint with 1,000,000 dedup keys, peak RSS with 10,000,000 dedup keys and a
# small block cache, and recovery from that state.
#
#   scripts/measure-state.sh [WORK_DIR]     (release build; WORK_DIR default /tmp/tillflow-measure)
#
# Inputs are generated once and kept in WORK_DIR. Each figure is printed as it comes.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/tillflow-measure}
mkdir -p "$W"
swift build -c release --product tillflow >/dev/null
T=$(swift build -c release --show-bin-path)/tillflow

[ -f "$W/pos1m.jsonl" ] || "$T" generate pos --stores 50 --count 1000000 --seed 7 --out "$W/pos1m.jsonl"
[ -f "$W/pos10m.jsonl" ] || "$T" generate pos --stores 500 --count 10000000 --seed 8 --span 24h --out "$W/pos10m.jsonl"

# Runs tillflow under /usr/bin/time; prints "seconds peak-RSS-MiB" and keeps the summary in $W/last.txt.
timed() {
    /usr/bin/time -f "%e %M" -o "$W/time.txt" "$T" "$@" > "$W/last.txt"
    read -r secs kib < "$W/time.txt"
    echo "$secs $((kib / 1024))"
}

echo "== replay turnover, 1,000,000 transactions, memory vs rocksdb state (interleaved, 3 runs each)"
for i in 1 2 3; do
    for state in memory rocksdb; do
        read -r secs mib < <(timed replay turnover --input "$W/pos1m.jsonl" --out "$W/t-$state" --state "$state" --overwrite)
        echo "run $i  $state  ${secs}s  $(awk -v s="$secs" 'BEGIN { printf "%d", 1000000 / s }') records/s  peak RSS ${mib} MiB"
    done
done

echo "== one checkpoint with about 1,000,000 dedup keys (replay validation, rocksdb; then memory)"
# The checkpoint after the end of input keeps no keyed state, so a periodic one is
# measured: checkpoints every 2 s over the 10M input, stopped (SIGTERM, which takes one
# more) once one holds a million keys.
for state in rocksdb memory; do
    rm -rf "$W/v-$state"
    "$T" replay validation --input "$W/pos10m.jsonl" --out "$W/v-$state" --state "$state" --checkpoint-interval 2s >/dev/null 2>&1 &
    pid=$!
    until "$T" checkpoints list --state-dir "$W/v-$state/.state" 2>/dev/null | grep -qE "dedup=([1-9][0-9]{6})"; do sleep 0.2; done
    kill -TERM "$pid"; wait "$pid" || true
    id=$("$T" checkpoints list --state-dir "$W/v-$state/.state" | grep -E "dedup=[1-9][0-9]{6}" | tail -1 | awk '{print $1}')
    "$T" checkpoints inspect --state-dir "$W/v-$state/.state" --id "$id" | grep -E "^checkpoint|time|state  |entries"
done

echo "== 10,000,000 dedup keys, --state-memory 64MiB: peak RSS"
read -r secs mib < <(timed replay validation --input "$W/pos10m.jsonl" --out "$W/v10m" --overwrite --state-memory 64MiB --checkpoint-interval 30s)
echo "${secs}s  $(awk -v s="$secs" 'BEGIN { printf "%d", 10000000 / s }') records/s  peak RSS ${mib} MiB"
"$T" checkpoints list --state-dir "$W/v10m/.state" | head -1

echo "== recovery from the newest periodic checkpoint of that run"
ids=$("$T" checkpoints list --state-dir "$W/v10m/.state" | awk '{print $1}')
finished=$(echo "$ids" | head -1)
rm -rf "$W/v10m/.state/checkpoints/chk-$(printf %010d "$finished")"   # as if killed before the end
read -r secs mib < <(timed replay validation --input "$W/pos10m.jsonl" --out "$W/v10m" --state-memory 64MiB --checkpoint-interval 30s)
grep -E "resumed|records in" "$W/last.txt"
echo "whole resumed run ${secs}s, peak RSS ${mib} MiB"

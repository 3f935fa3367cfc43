#!/usr/bin/env bash
# Before/after: `tillflow replay` of two commits on the same inputs, interleaved round by
# round so that machine drift cancels out, with the outputs compared byte for byte.
#
#   Benchmarks/ab.sh BASE [HEAD]        HEAD defaults to the work tree's HEAD
#   AB_COUNT=1000000 AB_RUNS=5 Benchmarks/ab.sh 6d4bb8d
#
# Each commit is built in release in a worktree of its own under AB_DIR (default
# /tmp/tillflow-ab). Configurations: turnover on CSV and JSONL at parallelism 1 and 2 with
# memory and RocksDB state, and edge on a generated inventory stream with either state,
# all with a checkpoint every second. Prints, per configuration, the median wall time of
# each commit and their ratio (below 1: HEAD is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:?usage: Benchmarks/ab.sh BASE [HEAD]}
HEAD=${2:-$(git rev-parse HEAD)}
COUNT=${AB_COUNT:-1000000}
RUNS=${AB_RUNS:-5}
D=${AB_DIR:-/tmp/tillflow-ab}
mkdir -p "$D"
make -s deps
dpkg -s time >/dev/null 2>&1 || { SUDO=$([ "$(id -u)" = 0 ] || echo sudo); $SUDO apt-get install -y -qq time; }

build() {  # build NAME COMMIT: the release binary of COMMIT as $D/tillflow-NAME
    local tree="$D/tree-$1"
    [ -d "$tree" ] || git worktree add -f --detach "$tree" "$2" -q
    git -C "$tree" checkout -q -f --detach "$2"
    (cd "$tree" && swift build -c release --product tillflow >/dev/null)
    cp "$tree/.build/release/tillflow" "$D/tillflow-$1"
}
build base "$BASE"
build head "$HEAD"
T="$D/tillflow-head"
[ -f "$D/pos-$COUNT.jsonl" ] || "$T" generate pos --stores 50 --count "$COUNT" --seed 7 --out "$D/pos-$COUNT.jsonl" 2>/dev/null
[ -f "$D/pos-$COUNT.csv" ] || "$T" generate pos --stores 50 --count "$COUNT" --seed 7 --out "$D/pos-$COUNT.csv" 2>/dev/null
[ -f "$D/inv-$COUNT.jsonl" ] || "$T" generate inventory --count "$COUNT" --seed 7 --out "$D/inv-$COUNT.jsonl" 2>/dev/null

RESULTS="$D/results.txt"
: > "$RESULTS"
configs=("turnover csv 1 memory" "turnover jsonl 1 memory" "turnover jsonl 1 rocksdb" "turnover csv 2 memory"
         "turnover jsonl 2 rocksdb" "edge jsonl 1 memory" "edge jsonl 1 rocksdb")
for round in $(seq 1 "$RUNS"); do
    echo "round $round of $RUNS" >&2
    for config in "${configs[@]}"; do
        read -r job format p state <<< "$config"
        input="$D/$([ "$job" = edge ] && echo inv || echo pos)-$COUNT.$format"
        for v in base head; do
            /usr/bin/time -f "%e" -o "$D/time.txt" "$D/tillflow-$v" replay "$job" --input "$input" --out "$D/out-$v" \
                --overwrite --parallelism "$p" --state "$state" --checkpoint-interval 1s >/dev/null
            echo "$job-$format-p$p-$state $v $(cat "$D/time.txt")" >> "$RESULTS"
        done
        for file in "$D"/out-base/*.jsonl; do
            cmp -s "$file" "$D/out-head/$(basename "$file")" \
                || { echo "ab.sh: $job $format p$p $state: $(basename "$file") differs between the commits" >&2; exit 1; }
        done
    done
done
python3 - "$RESULTS" "$BASE" "$HEAD" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    config, version, seconds = line.split()
    times.setdefault((config, version), []).append(float(seconds))
print("configuration                     base %-9s head %-9s head/base" % (sys.argv[2][:9], sys.argv[3][:9]))
for config in dict.fromkeys(c for c, _ in times):
    b, h = statistics.median(times[(config, "base")]), statistics.median(times[(config, "head")])
    print("%-32s %8.2f s      %8.2f s      %.3f" % (config, b, h, h / b))
PY

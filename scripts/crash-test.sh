#!/usr/bin/env bash
# The crash test: `replay edge` (or the example job, CRASH_JOB) killed with SIGKILL at random moments, restarted each
# time with the same command and state directory until a run reaches the end; its
# outputs must equal those of one uninterrupted run, byte for byte. Then a new chain
# starts afresh in another directory, until KILLS kills have landed.
#
#   scripts/crash-test.sh [KILLS] [LINES] [STATE]   defaults: 100 kills, 200000 lines, both
#
# STATE is rocksdb, memory, or both (chains alternate). Kill moments are uniform over
# 1.1x one uninterrupted run, and every other chain of a backend aims its first kill at
# its last 10% and the 10% after, so that kills reach the end phase (the infinite watermark, the
# final flush, the finished checkpoint); the output says how many landed after the
# whole of its first output (valid.jsonl for edge) was written. CRASH_SEED replays a schedule (the input and the
# kill delays; where a delay falls in the run still depends on the machine); the seed
# is printed first. TILLFLOW_BIN picks the binary (default: the release build, built if
# needed). On a failure the input, the outputs and each run's stderr stay in the work
# directory the script names; on success it is removed.
#
# `make test` runs two small ones on the debug build: 20 kills of the edge job, 10 of the
# example job, both backends.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-100}
LINES=${2:-200000}
STATE=${3:-both}
SEED=${CRASH_SEED:-$(( $(od -An -N4 -tu4 /dev/urandom) % 2147483648 ))}
case "$STATE" in rocksdb|memory|both) ;; *) echo "crash-test.sh: STATE is rocksdb, memory or both, not $STATE" >&2; exit 2;; esac
echo "crash test: seed $SEED (CRASH_SEED=$SEED replays it), $KILLS kills, $LINES lines, state $STATE, job ${CRASH_JOB:-edge}"
if [ -n "${TILLFLOW_BIN:-}" ]; then
    T=$TILLFLOW_BIN
else
    swift build -c release --product tillflow >/dev/null
    [ "${CRASH_JOB:-edge}" = edge ] || swift build -c release --product example-big-baskets >/dev/null
    T=$(swift build -c release --show-bin-path)/tillflow
fi
W=$(mktemp -d /tmp/tillflow-crash-XXXXXX)
fail() { echo "crash-test.sh: $*; input, outputs and stderr kept in $W" >&2; exit 1; }

# CRASH_JOB picks what is killed: `edge` (tillflow replay edge, the default) or
# `big-baskets` (the example job through its own executable, examples/BigBaskets).
# Two days in two files, the second zstd-compressed, so that kills land in either and
# a resume starts inside a compressed file too; the edge job's first day has clock marks.
JOB=${CRASH_JOB:-edge}
case "$JOB" in
edge)
    "$T" generate inventory --locations 12 --skus 200 --count $((LINES / 2)) --seed "$SEED" \
        --out "$W/day-1-unmarked.jsonl" >/dev/null 2>&1
    # With clock marks between the lines, as a live node's stream has them.
    python3 scripts/add-clock-marks.py "$W/day-1-unmarked.jsonl" "$W/day-1.jsonl" --seed "$SEED"
    "$T" generate inventory --locations 12 --skus 200 --count $((LINES - LINES / 2)) --seed $((SEED + 1)) \
        --start 2026-11-22T00:00:00Z --out "$W/day-2.jsonl.zst" >/dev/null 2>&1
    # `exec`, so that the pid of a backgrounded run is tillflow's own and the kill reaches it.
    FIRST_OUTPUT=valid.jsonl
    run() { exec "$T" replay edge --input "$W/day-1.jsonl" "$W/day-2.jsonl.zst" --out "$1" --state "$2" \
        --checkpoint-interval 50ms --batch-lines 512; }
    ;;
big-baskets)
    E=${EXAMPLE_BIN:-$(dirname "$T")/example-big-baskets}
    "$T" generate pos --stores 20 --count $((LINES / 2)) --seed "$SEED" --invalid-fraction 0.01 \
        --out "$W/day-1.jsonl" >/dev/null 2>&1
    "$T" generate pos --stores 20 --count $((LINES - LINES / 2)) --seed $((SEED + 1)) --invalid-fraction 0.01 \
        --start 2026-11-22T00:00:00Z --out "$W/day-2.jsonl.zst" >/dev/null 2>&1
    FIRST_OUTPUT=big-baskets.jsonl
    run() { exec "$E" replay --input "$W/day-1.jsonl" "$W/day-2.jsonl.zst" --out "$1" --state "$2" \
        --checkpoint-interval 50ms --min-items 6; }
    ;;
*) echo "crash-test.sh: CRASH_JOB is edge or big-baskets, not $JOB" >&2; exit 2;;
esac
backends=$([ "$STATE" = both ] && echo "rocksdb memory" || echo "$STATE")
for state in $backends; do
    start=$(date +%s%N)
    (run "$W/reference-$state" "$state" >/dev/null 2>"$W/reference-$state.stderr") || fail "the $state reference run failed"
    whole_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "one uninterrupted run ($state): $whole_ms ms"
    eval "whole_$state=$whole_ms"
done
for file in "$W"/reference-rocksdb/*.jsonl; do
    [ "$STATE" != both ] || cmp -s "$file" "$W/reference-memory/$(basename "$file")" \
        || fail "$(basename "$file") differs between the rocksdb and memory reference runs"
done
valid_bytes=$(stat -c %s "$W/reference-$(echo "$backends" | cut -d' ' -f1)/$FIRST_OUTPUT")

# The kill delays, from the seed: fractions of one uninterrupted run, in [0, 1.1).
awk -v seed="$SEED" 'BEGIN { srand(seed); for (i = 0; i < 100000; i++) printf "%.4f\n", rand() * 1.1 }' > "$W/delays"
exec 3< "$W/delays"

killed=0 end_phase=0 late=0 chains=0 attempts=0
while [ "$killed" -lt "$KILLS" ]; do
    state=$(echo "$backends" | cut -d' ' -f$(( chains % $(echo "$backends" | wc -w) + 1 )))
    whole=$(eval echo "\$whole_$state")
    out="$W/chain-$chains-$state"
    while :; do
        attempts=$((attempts + 1))
        [ "$attempts" -le $((KILLS * 20)) ] || fail "$attempts runs without $KILLS kills"
        read -r fraction <&3
        # Every other chain of each backend aims its first kill at the end of the run.
        fresh=$([ -d "$out" ] && echo 0 || echo 1)
        if [ "$fresh" = 1 ] && [ $((chains % 4)) -ge 2 ]; then
            fraction=$(awk -v f="$fraction" 'BEGIN { printf "%.4f", 0.9 + f * 0.2 / 1.1 }')
        fi
        run "$out" "$state" >/dev/null 2>"$out.stderr-$attempts" &
        pid=$!
        sleep "$(awk -v f="$fraction" -v t="$whole" 'BEGIN { printf "%.3f", f * t / 1000 }')"
        written=$(stat -c %s "$out/$FIRST_OUTPUT" 2>/dev/null || echo 0)
        if kill -KILL "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null || true
            killed=$((killed + 1))
            [ "$written" -lt "$valid_bytes" ] || end_phase=$((end_phase + 1))
            [ "$fresh" = 0 ] || awk -v f="$fraction" 'BEGIN { exit !(f >= 0.9) }' || late=$((late + 1))
            [ "$killed" -lt "$KILLS" ] || break
        else
            wait "$pid" || fail "run $attempts ($out) failed: $(tail -1 "$out.stderr-$attempts")"
            break
        fi
    done
    # The chain's last run: to the end from wherever the kills left it.
    (run "$out" "$state" >"$out.summary" 2>"$out.stderr-final") || fail "the last run of $out failed: $(tail -1 "$out.stderr-final")"
    for file in "$W/reference-$state"/*.jsonl; do
        cmp -s "$file" "$out/$(basename "$file")" || fail "$(basename "$file") of $out differs from one uninterrupted run"
    done
    chains=$((chains + 1))
done
echo "killed $killed times in $chains chains ($attempts runs): $late in the last 10% of a run from the start," \
    "$end_phase after all of $FIRST_OUTPUT was written; outputs equal one uninterrupted run"
rm -rf "$W"

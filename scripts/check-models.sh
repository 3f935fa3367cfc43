#!/usr/bin/env bash
# The oracles: every job's outputs on generated data with late, duplicate and malformed
# records and clock marks, compared with those of the independent model in scripts/model/ (Python,
# written from the spec text alone): valid.jsonl byte for byte, dead letters by source,
# reason, field and raw line, and the turnover, rollup, late, decisions, alerts and
# availability records one for one, in order.
#
#   scripts/check-models.sh            the scenarios below, on the default seed and one
#                                      more taken at random (MODEL_SEED replays it)
#
# TILLFLOW_BIN picks the binary (default: the debug build). The scenarios run the
# product on RocksDB (the default users run) at parallelism 2 unless they say otherwise,
# with non-default options where the spec has them. On a failure the inputs and
# outputs stay in the work directory the script names; on success it is removed.
#
# `make test` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${TILLFLOW_BIN:-.build/debug/tillflow}
SEED=${MODEL_SEED:-$(( $(od -An -N4 -tu4 /dev/urandom) % 1000000 ))}
W=$(mktemp -d /tmp/tillflow-models-XXXXXX)
echo "model checks: seeds 1 and $SEED (MODEL_SEED=$SEED replays the second)"
fail() { echo "check-models.sh: $*; inputs and outputs kept in $W" >&2; exit 1; }

# scenario NAME JOB "INPUTS" "OPTIONS" ["RUN OPTIONS"]: runs the product with the job's
# options and the run options (state, parallelism: results do not depend on them), then
# the model's check with the job's options.
scenario() {
    local name=$1 job=$2 inputs=$3 options=$4 run=${5:-}
    local out="$W/$name"
    # shellcheck disable=SC2086
    "$T" replay "$job" --input $inputs --out "$out" --overwrite $options $run > "$out.summary" 2> "$out.stderr" \
        || fail "$name: the replay failed: $(tail -1 "$out.stderr")"
    local started=$SECONDS
    # shellcheck disable=SC2086
    python3 scripts/model/check.py "$job" $inputs --out "$out" $options > "$out.check" 2>&1 \
        || { cat "$out.check" >&2; fail "$name: the outputs differ from the model's"; }
    echo "  $name: $(grep -c 'match' "$out.check") files match the model ($(( SECONDS - started )) s)"
}

for seed in 1 "$SEED"; do
    d="$W/seed-$seed"
    mkdir -p "$d"
    dirty="--late-fraction 0.02 --duplicate-fraction 0.02 --invalid-fraction 0.02"
    # Two hours of POS traffic in two files, JSONL and CSV, with every kind of bad line.
    "$T" generate pos --stores 20 --count 15000 --seed "$seed" --span 1h $dirty --out "$d/pos-1.jsonl" > /dev/null 2>&1
    "$T" generate pos --stores 20 --count 15000 --seed $((seed + 1)) --span 1h --start 2026-11-21T01:00:00Z $dirty \
        --out "$d/pos-2.jsonl" > /dev/null 2>&1
    "$T" generate pos --stores 20 --count 20000 --seed "$seed" --span 2h $dirty --out "$d/pos.csv" > /dev/null 2>&1
    # Inventory streams: the default mix, and a reservation-heavy one.
    "$T" generate inventory --locations 8 --skus 60 --count 30000 --seed "$seed" --span 6h --invalid-fraction 0.02 \
        --out "$d/inventory.jsonl" > /dev/null 2>&1
    "$T" generate inventory --locations 6 --skus 30 --count 30000 --seed "$seed" --span 2h --invalid-fraction 0.01 \
        --pos-fraction 0.3 --out "$d/reservations.jsonl" > /dev/null 2>&1
    # Clock marks between the lines, as a live node writes them (live.md section 1).
    for name in pos-1 pos-2 reservations; do
        python3 scripts/add-clock-marks.py "$d/$name.jsonl" "$d/$name-marked.jsonl" --seed "$seed"
    done

    scenario "seed-$seed-turnover-jsonl-marked" turnover "$d/pos-1-marked.jsonl $d/pos-2-marked.jsonl" "--allowed-lateness 5s" \
        "--parallelism 2"
    scenario "seed-$seed-turnover-csv-memory" turnover "$d/pos.csv" "--window 1m" "--state memory --parallelism 1"
    scenario "seed-$seed-validation-reject-marked" validation "$d/pos-1-marked.jsonl $d/pos-2.jsonl" \
        "--total-mismatch reject --dedup-horizon 10m --out-of-orderness 500ms" "--parallelism 1"
    scenario "seed-$seed-inventory" inventory "$d/inventory.jsonl" "--low-stock-threshold 3" "--parallelism 2"
    scenario "seed-$seed-edge-marked" edge "$d/reservations-marked.jsonl $d/pos.csv" "--dedup-horizon 20m --allowed-lateness 2s" \
        "--parallelism 2"
done

# The default backend at scale: 76k reservations (open and remembered) and 25k dedup keys,
# over RocksDB's write-back cache of 65,536 entries, expiring as the watermark advances.
"$T" generate inventory --locations 20 --skus 400 --count 200000 --seed 5 --span 4h --pos-fraction 0.2 \
    --invalid-fraction 0.005 --out "$W/large.jsonl" > /dev/null 2>&1
scenario "large-state-edge-rocksdb" edge "$W/large.jsonl" "--dedup-horizon 3h" "--state rocksdb --parallelism 2"
rm -rf "$W"

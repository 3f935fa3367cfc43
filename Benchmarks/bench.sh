#!/usr/bin/env bash
# `make bench`: whole-process throughput of `tillflow replay turnover` against the
# hardware floors of ../shared/bench, then of `tillflow replay edge` over a long
# inventory stream with RocksDB and with memory state; each measured in one go and
# interleaved so that machine drift cancels out.
#
#   Benchmarks/bench.sh                        10,000,000 transactions, 3 rounds
#   BENCH_COUNT=1000000 BENCH_RUNS=3 Benchmarks/bench.sh
#   BENCH_PARTS=inventory BENCH_INVENTORY_COUNT=5000000 Benchmarks/bench.sh
#
# Inputs are generated once per count and kept in BENCH_DIR (default
# /tmp/tillflow-bench). Each round runs every configuration once, in the same order:
# the two floors, then tillflow on CSV and on JSONL, at parallelism 1 and 2, with memory
# and RocksDB state, with a checkpoint every second and with no periodic checkpoint
# (only the one at the start and the one at the end), and on a dirty JSONL file (1% each
# late, duplicate and malformed lines) at parallelism 1 and 2 with either backend. The
# table shows medians over the rounds: records/s, CPU seconds, peak RSS, and records/s as
# a share of the floor of the same format measured in the same rounds (the dirty file's
# against the clean JSONL floor; the floors are only correct on clean data).
#
# Speed counts only with the right answer: every configuration's outputs must be those
# of the parallelism-1 memory run without periodic checkpoints on the same input, byte
# for byte, in every round; the first difference stops the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
PARTS=${BENCH_PARTS:-turnover inventory}
COUNT=${BENCH_COUNT:-10000000}
INVENTORY_COUNT=${BENCH_INVENTORY_COUNT:-1000000}
RUNS=${BENCH_RUNS:-3}
DIR=${BENCH_DIR:-/tmp/tillflow-bench}
FLOOR_SRC=${FLOOR_SRC:-../shared/bench}
mkdir -p "$DIR"

make -s deps
# The floors need simdjson; the measurements GNU time (/usr/bin/time, not the shell's).
for package in libsimdjson-dev time; do
    dpkg -s "$package" >/dev/null 2>&1 || {
        SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
        $SUDO apt-get install -y -qq "$package"
    }
done
swift build -c release --product tillflow >/dev/null
T=$(swift build -c release --show-bin-path)/tillflow

# One measured process: appends "config seconds cpu_seconds peak_kib" to $RESULTS.
measure() {
    local config=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/time.txt" "$@" > "$DIR/stdout.txt"
    read -r wall user sys kib < "$DIR/time.txt"
    echo "$config $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $kib" >> "$RESULTS"
}

# Checks the outputs a configuration just wrote into OUT against those of the reference
# configuration of the same input (REF), or makes them the reference if it is that one.
check_outputs() {
    local config=$1 out=$2 ref=$3 reference_config=$4
    if [ "$config" = "$reference_config" ]; then
        rm -rf "$ref" && mv "$out" "$ref"
        return
    fi
    for file in "$ref"/*.jsonl; do
        cmp -s "$file" "$out/$(basename "$file")" || {
            echo "bench.sh: $config wrote another $(basename "$file") than $reference_config (kept in $out and $ref)" >&2
            exit 1
        }
    done
}

# Medians of a list of numbers, for the awk tables below.
MEDIAN='function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}'

bench_turnover() {
    [ -f "$FLOOR_SRC/README.md" ] || { echo "bench.sh: no floor programs in $FLOOR_SRC (set FLOOR_SRC to shared/bench)" >&2; exit 1; }
    rm -rf "$DIR/floor"
    cp -r "$FLOOR_SRC" "$DIR/floor"
    make -s -C "$DIR/floor" >/dev/null

    JSONL="$DIR/pos-$COUNT.jsonl"
    CSV="$DIR/pos-$COUNT.csv"
    [ -f "$JSONL" ] || "$T" generate pos --stores 50 --count "$COUNT" --seed 7 --out "$JSONL" >/dev/null
    [ -f "$CSV" ] || "$T" generate pos --stores 50 --count "$COUNT" --seed 7 --out "$CSV" >/dev/null
    DIRTY="$DIR/pos-$COUNT-dirty.jsonl"
    [ -f "$DIRTY" ] || "$T" generate pos --stores 50 --count "$COUNT" --seed 8 --late-fraction 0.01 \
        --duplicate-fraction 0.01 --invalid-fraction 0.01 --out "$DIRTY" >/dev/null

    RESULTS="$DIR/results-$COUNT.txt"
    : > "$RESULTS"

    configs=()
    for format in csv jsonl; do
        for p in 1 2; do
            for state in memory rocksdb; do
                for ckpt in none 1s; do configs+=("$format-p$p-$state-ckpt$ckpt"); done
            done
        done
    done
    for p in 1 2; do
        for state in memory rocksdb; do configs+=("dirty-p$p-$state-ckptnone"); done
    done

    for round in $(seq 1 "$RUNS"); do
        echo "round $round of $RUNS" >&2
        measure floor-csv "$DIR/floor/floor_csv" "$CSV" "$DIR/floor-out.csv"
        measure floor-jsonl "$DIR/floor/floor_jsonl" "$JSONL" "$DIR/floor-out.csv"
        for config in "${configs[@]}"; do
            IFS=- read -r format p state ckpt <<< "$config"
            case $format in csv) input=$CSV;; jsonl) input=$JSONL;; dirty) input=$DIRTY;; esac
            interval=$([ "$ckpt" = ckpt1s ] && echo 1s || echo 1000h)
            measure "$config" "$T" replay turnover --input "$input" --out "$DIR/out" --overwrite \
                --parallelism "${p#p}" --state "$state" --checkpoint-interval "$interval"
            check_outputs "$config" "$DIR/out" "$DIR/reference-$format" "$format-p1-memory-ckptnone"
        done
    done

    # The table: medians per configuration, ratios to the floor of the same format.
    awk -v count="$COUNT" -v runs="$RUNS" "$MEDIAN"'
        { order[$1] = order[$1] ? order[$1] : ++n; names[order[$1]] = $1
          rate[$1] = rate[$1] " " count / $2; cpu[$1] = cpu[$1] " " $3; rss[$1] = rss[$1] " " $4 }
        END {
            fc = median(rate["floor-csv"]); fj = median(rate["floor-jsonl"])
            printf "| run (%d records, median of %d) | records/s | CPU s | peak RSS MiB | of floor |\n", count, runs
            print "|---|---:|---:|---:|---:|"
            for (i = 1; i <= n; i++) {
                c = names[i]; r = median(rate[c])
                floor = c ~ /^(csv|floor-csv)/ ? fc : fj
                printf "| %s | %d | %.1f | %d | %.0f%% |\n", c, r, median(cpu[c]), median(rss[c]) / 1024, 100 * r / floor
            }
        }' "$RESULTS"

    # The ratios issue 5 sets targets on: parallelism 2 against 1, checkpoints every second
    # against none, each from the medians above.
    awk -v count="$COUNT" "$MEDIAN"'
        { rate[$1] = rate[$1] " " count / $2 }
        END {
            print ""
            print "| ratio | value |"
            print "|---|---:|"
            split("csv jsonl dirty", formats, " "); split("memory rocksdb", states, " "); split("none 1s", ckpts, " ")
            for (f = 1; f <= 3; f++) for (s = 1; s <= 2; s++) for (c = 1; c <= 2; c++) {
                one = formats[f] "-p1-" states[s] "-ckpt" ckpts[c]; two = formats[f] "-p2-" states[s] "-ckpt" ckpts[c]
                if (rate[one] != "" && rate[two] != "") printf "| %s p2 / p1 | %.2fx |\n", formats[f] "-" states[s] "-ckpt" ckpts[c], median(rate[two]) / median(rate[one])
            }
            for (f = 1; f <= 3; f++) for (p = 1; p <= 2; p++) for (s = 1; s <= 2; s++) {
                base = formats[f] "-p" p "-" states[s]
                if (rate[base "-ckptnone"] != "" && rate[base "-ckpt1s"] != "")
                    printf "| %s ckpt1s / ckptnone | %.0f%% |\n", base, 100 * median(rate[base "-ckpt1s"]) / median(rate[base "-ckptnone"])
            }
        }' "$RESULTS"
}

# The edge job over a long inventory stream (issue 15): reservation-heavy (20% POS
# lines, the rest stock events; most reservations wait for their TTL), over 48 hours of
# event time, so that the reservation state holds well over 65,536 entries (the
# write-back cache) for most of the run. Run whole and its first 200,000 lines, with
# RocksDB and memory state: RocksDB's time as a multiple of memory's on the whole
# stream (target: at most 2.5x), and its records/s on the whole stream as a share of
# its records/s on the first 200,000 (target: at least 80%).
bench_inventory() {
    local whole="$DIR/inventory-$INVENTORY_COUNT.jsonl" head="$DIR/inventory-$INVENTORY_COUNT-head200k.jsonl"
    [ -f "$whole" ] || "$T" generate inventory --locations 20 --skus 1000 --count "$INVENTORY_COUNT" --seed 11 \
        --span 48h --pos-fraction 0.2 --invalid-fraction 0.005 --out "$whole" >/dev/null
    [ -f "$head" ] || head -n 200000 "$whole" > "$head"
    RESULTS="$DIR/results-inventory-$INVENTORY_COUNT.txt"
    : > "$RESULTS"
    for round in $(seq 1 "$RUNS"); do
        echo "inventory round $round of $RUNS" >&2
        for part in whole head; do
            for state in memory rocksdb; do
                input=$([ "$part" = whole ] && echo "$whole" || echo "$head")
                measure "$part-$state" "$T" replay edge --input "$input" --out "$DIR/out-edge" --overwrite \
                    --parallelism 1 --state "$state"
                check_outputs "$part-$state" "$DIR/out-edge" "$DIR/reference-edge-$part" "$part-memory"
            done
        done
    done
    echo
    awk -v whole="$(wc -l < "$whole")" -v head="$(wc -l < "$head")" -v runs="$RUNS" "$MEDIAN"'
        { time[$1] = time[$1] " " $2; rss[$1] = rss[$1] " " $4 }
        END {
            printf "| replay edge, inventory stream (median of %d) | lines | seconds | records/s | peak RSS MiB |\n", runs
            print "|---|---:|---:|---:|---:|"
            split("whole-memory whole-rocksdb head-memory head-rocksdb", cs, " ")
            for (i = 1; i <= 4; i++) {
                c = cs[i]; n = c ~ /^whole/ ? whole : head; t = median(time[c])
                printf "| %s | %d | %.2f | %d | %d |\n", c, n, t, n / t, median(rss[c]) / 1024
            }
            print ""
            print "| ratio | value | target |"
            print "|---|---:|---:|"
            printf "| rocksdb / memory time, %d lines | %.2fx | <= 2.5x |\n", whole, median(time["whole-rocksdb"]) / median(time["whole-memory"])
            printf "| rocksdb / memory time, %d lines | %.2fx | |\n", head, median(time["head-rocksdb"]) / median(time["head-memory"])
            printf "| rocksdb records/s, %d lines / %d lines | %.0f%% | >= 80%% |\n", whole, head, 100 * (whole / median(time["whole-rocksdb"])) / (head / median(time["head-rocksdb"]))
            printf "| memory records/s, %d lines / %d lines | %.0f%% | |\n", whole, head, 100 * (whole / median(time["whole-memory"])) / (head / median(time["head-memory"]))
        }' "$RESULTS"
}

for part in $PARTS; do "bench_$part"; done

cp "$T" "$DIR/tillflow-stripped" && strip "$DIR/tillflow-stripped"
echo
echo "tillflow release binary, stripped: $(( $(stat -c %s "$DIR/tillflow-stripped") / 1024 / 1024 )) MiB"

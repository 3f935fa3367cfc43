#!/usr/bin/env bash
# `make bench-live`: the live edge node against nats-server on this machine (issue 17).
#
#   1. Throughput: `run edge` over a pre-filled TILLFLOW_IN of BENCH_LIVE_COUNT
#      (1,000,000) transactions and one last clock mark, from start to the moment every
#      output subject holds as many rows as `replay edge` writes for the same lines,
#      as a ratio to `replay edge` over the same file, interleaved, BENCH_LIVE_RUNS rounds.
#      The rows are also compared: every subject's count must be replay's.
#   2. Latency at BENCH_LIVE_RATE (2,000) transactions per second for 30 s: from the
#      publish of each valid transaction to its row stored on the node's `valid` subject
#      (the stream's timestamp), p50 and p99, by `tillflow simulate --latency-of`.
#   3. The idle node's resident memory (a fresh node on an empty stream, 5 s after it is
#      ready), and the size of the stripped binary.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${BENCH_LIVE_COUNT:-1000000}
RUNS=${BENCH_LIVE_RUNS:-3}
RATE=${BENCH_LIVE_RATE:-2000}
DIR=${BENCH_DIR:-/tmp/tillflow-bench}
mkdir -p "$DIR"
make -s deps nats-server >/dev/null
dpkg -s time >/dev/null 2>&1 || $([ "$(id -u)" = 0 ] || echo sudo) apt-get install -y -qq time
swift build -c release --product tillflow >/dev/null
T=$(swift build -c release --show-bin-path)/tillflow

source scripts/live-processes.sh
live_begin tillflow-bench-live
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
calc() { awk "BEGIN { print $1 }"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
# User + system CPU seconds a process has used so far (fields 14 and 15 of its stat, in ticks).
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"; }

# --- 3. idle node and binary ------------------------------------------------------------
start_server idle
port=$(free_port)
"$T" run edge --nats "$NATS_URL" --node idle --state-dir "$work/idle/state" --http "$port" 2>"$work/idle/node.log" &
node=$!
started $node
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done
sleep 5
idle_rss=$(rss_kib $node)
kill -TERM $node; wait $node || true
kill $SERVER_PID; wait $SERVER_PID 2>/dev/null || true
strip -o "$work/tillflow.stripped" "$T"
binary=$(stat -c %s "$work/tillflow.stripped")

# --- 1. throughput ------------------------------------------------------------------------
input="$DIR/live-tx-$COUNT.jsonl"
if [ ! -f "$input" ]; then
    "$T" generate pos --stores 20 --count "$COUNT" --seed 11 --out "$input.tmp" >/dev/null
    # A live run has no end of input: a last mark, far ahead, closes what the end of a replay closes.
    echo '{"clock":4102444800000}' >> "$input.tmp"
    mv "$input.tmp" "$input"
fi
start_server throughput
filled=$("$T" publish --nats "$NATS_URL" --input "$input")
echo "$filled"

counts_of() { "$T" outputs --nats "$NATS_URL" --node "$1" --rows 0 2>/dev/null | awk '{ print $1, $2 }'; }
expected="$work/expected.txt"
messages=0
replay_s=() live_s=() live_hwm=() node_cpu=() server_cpu=()
for round in $(seq "$RUNS"); do
    rm -rf "$work/replay"
    start=$(now)
    "$T" replay edge --input "$input" --out "$work/replay" --state-dir "$work/replay-state" >/dev/null
    replay_s+=("$(since "$start")")
    if [ "$round" = 1 ]; then
        for f in "$work"/replay/*.jsonl; do
            name=$(basename "$f" .jsonl)
            echo "tillflow.out.NODE.$name: $(wc -l < "$f")"
        done | sort > "$expected"
        messages=$(awk '{ n += $2 } END { print n }' "$expected")
    fi
    rm -rf "$work/replay" "$work/replay-state"

    name="bench-$round"
    server_before=$(cpu_s $SERVER_PID)
    start=$(now)
    "$T" run edge --nats "$NATS_URL" --node "$name" --state-dir "$work/state-$round" --clock-interval 0s 2>"$work/node-$round.log" &
    node=$!
    started $node
    want=$(sed "s/NODE/$name/" "$expected")
    until [ "$(counts_of "$name" | sort)" = "$want" ]; do
        kill -0 $node 2>/dev/null || { echo "bench-live: the node stopped:"; cat "$work/node-$round.log"; exit 1; }
        sleep 0.1
    done
    live_s+=("$(since "$start")")
    live_hwm+=("$(hwm_kib $node)")
    node_cpu+=("$(cpu_s $node)")
    server_cpu+=("$(calc "$(cpu_s $SERVER_PID) - $server_before")")
    kill -TERM $node; wait $node || true
    rm -rf "$work/state-$round"
    printf 'round %d: replay edge %.2f s, run edge %.2f s (CPU: node %.1f s, nats-server %.1f s)\n' \
        "$round" "${replay_s[-1]}" "${live_s[-1]}" "${node_cpu[-1]}" "${server_cpu[-1]}"
done
kill $SERVER_PID; wait $SERVER_PID 2>/dev/null || true
rm -rf "$work/throughput"

# --- 2. latency ---------------------------------------------------------------------------
start_server latency
"$T" run edge --nats "$NATS_URL" --node latency --state-dir "$work/latency/state" 2>"$work/latency/node.log" &
node=$!
started $node
sleep 2
latency=$("$T" simulate --nats "$NATS_URL" --stores 10 --rate "$RATE" --duration 30s --seed 5 --latency-of latency)
kill -TERM $node; wait $node || true

echo
echo "== bench-live: $COUNT transactions, $RUNS rounds; nats-server 2.15 on this host =="
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
r=$(median "${replay_s[@]}")
l=$(median "${live_s[@]}")
printf 'replay edge (file):          %6.2f s  %9.0f tx/s\n' "$r" "$(calc "$COUNT / $r")"
printf 'run edge (TILLFLOW_IN):      %6.2f s  %9.0f tx/s  ratio %.2f (target >= 0.5), peak RSS %d MiB\n' \
    "$l" "$(calc "$COUNT / $l")" "$(calc "$r / $l")" "$(( $(median "${live_hwm[@]}") / 1024 ))"
nc=$(median "${node_cpu[@]}") sc=$(median "${server_cpu[@]}")
printf 'CPU of run edge:             node %.1f s, nats-server %.1f s (%.1f us a stored message, %d messages)\n' \
    "$nc" "$sc" "$(calc "$sc * 1000000 / $messages")" "$messages"
printf 'ratio the two cores allow:   %.2f (replay / half the CPU node and server used)\n' "$(calc "$r / (($nc + $sc) / 2)")"
echo "$latency" | sed -n 's/^simulate: /at '"$RATE"' tx\/s: /p'
printf 'idle node RSS:               %d MiB (target <= 60)\n' $(( idle_rss / 1024 ))
printf 'stripped binary:             %.1f MB (target <= 30)\n' "$(calc "$binary / 1000000")"

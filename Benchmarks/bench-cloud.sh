#!/usr/bin/env bash
# `make bench-cloud`: the cloud worker pool against nats-server on this machine (issue 18).
#
#   1. Throughput: a submitted `edge` job over a pre-filled hub TILLFLOW_IN of
#      BENCH_CLOUD_COUNT (1,000,000) lines of BENCH_CLOUD_LOCATIONS (20) locations, at 1
#      and at 2 workers (a job each), from submit until every partition's checkpoint has
#      reached the end of the stream (its rows all stored), as a ratio to `replay edge`
#      over the same lines in the same run.
#   2. Failover: with the 2-worker job running, one worker is killed with SIGKILL; the
#      time until every partition it held has a new owner and a checkpoint taken after
#      the kill (target: lease + 5 s).
#   3. Checkpoints: each partition's last checkpoint size and upload time (jobs status).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${BENCH_CLOUD_COUNT:-1000000}
LOCATIONS=${BENCH_CLOUD_LOCATIONS:-20}
PARTITIONS=${BENCH_CLOUD_PARTITIONS:-8}
LEASE=${BENCH_CLOUD_LEASE:-10}
DIR=${BENCH_DIR:-/tmp/tillflow-bench}
mkdir -p "$DIR"
make -s deps nats-server >/dev/null
swift build -c release --product tillflow >/dev/null
T=$(swift build -c release --show-bin-path)/tillflow

source scripts/live-processes.sh
live_begin tillflow-bench-cloud
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
calc() { awk "BEGIN { print $1 }"; }

input="$DIR/cloud-$LOCATIONS-$COUNT.jsonl"
[ -f "$input" ] || "$T" generate inventory --locations "$LOCATIONS" --skus 500 --count "$COUNT" --seed 12 --out "$input" >/dev/null
start=$(now)
"$T" replay edge --input "$input" --out "$work/replay" --state-dir "$work/replay-state" --parallelism 1 >/dev/null
replay_s=$(since "$start")

start_server hub
HUB=$NATS_URL
"$T" publish --nats "$HUB" --input "$input"

# Every partition's last checkpoint at the end of the stream: lag 0 on every line.
caught_up() { [ "$("$T" jobs status "$1" --nats "$HUB" | grep -c '(lag 0 messages)')" = "$PARTITIONS" ]; }
workers=()
start_worker() {
    "$T" worker --nats "$HUB" --state-dir "$work/worker-$1" --lease "${LEASE}s" >"$work/worker-$1.out" 2>"$work/worker-$1.log" &
    workers+=($!)
    started $!
}
run_job() {  # NAME: submit, and the seconds until caught up
    local began
    began=$(now)
    "$T" submit edge --nats "$HUB" --name "$1" --partitions "$PARTITIONS" --checkpoint-interval 1s >/dev/null
    until caught_up "$1"; do sleep 0.2; done
    since "$began"
}

start_worker 1
one=$(run_job w1)
"$T" jobs status w1 --nats "$HUB" > "$work/status-w1.txt"
"$T" jobs cancel w1 --nats "$HUB" >/dev/null
start_worker 2
sleep 2
two=$(run_job w2)
"$T" jobs status w2 --nats "$HUB" > "$work/status-w2.txt"
"$T" jobs cancel w2 --nats "$HUB" >/dev/null

# Failover: a third job on the two workers, one of them killed once it has partitions.
"$T" submit edge --nats "$HUB" --name failover --partitions "$PARTITIONS" --checkpoint-interval 1s >/dev/null
victim=${workers[0]}
for _ in $(seq 100); do grep -q "partition started" "$work/worker-1.log" && break; sleep 0.1; done
sleep 2
held=$("$T" jobs status failover --nats "$HUB" | grep -c "owner .*-$victim-" || true)
kill -9 "$victim"
killed=$(now)
killed_ms=$(date +%s%3N)
taken_over() {
    "$T" jobs status failover --nats "$HUB" | awk -v dead="-$victim-" -v t="$killed_ms" '
        /^partition/ { if (index($0, dead) || index($0, "owner none")) bad = 1 }
        END { exit bad }' || return 1
    # and a checkpoint after the kill on every partition: their times are after it
    python3 - "$killed_ms" <<PY
import sys, subprocess, datetime
t = int(sys.argv[1])
out = subprocess.run(["$T", "jobs", "status", "failover", "--nats", "$HUB"], capture_output=True, text=True).stdout
ok = True
for line in out.splitlines():
    if line.startswith("partition"):
        if "last checkpoint " not in line: ok = False; continue
        stamp = line.split("last checkpoint ")[1].split(" ")[0]
        ms = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000
        ok = ok and ms > t
sys.exit(0 if ok else 1)
PY
}
until taken_over; do sleep 0.2; done
failover_s=$(since "$killed")

echo
echo "== bench-cloud: $COUNT lines of $LOCATIONS locations, $PARTITIONS partitions; nats-server 2.15 on this host =="
printf 'replay edge (file, parallelism 1):  %7.2f s  %9.0f lines/s\n' "$replay_s" "$(calc "$COUNT / $replay_s")"
printf 'cloud job, 1 worker:                %7.2f s  %9.0f lines/s  ratio %.2f\n' "$one" "$(calc "$COUNT / $one")" "$(calc "$replay_s / $one")"
printf 'cloud job, 2 workers:               %7.2f s  %9.0f lines/s  ratio %.2f (%.2fx one worker)\n' \
    "$two" "$(calc "$COUNT / $two")" "$(calc "$replay_s / $two")" "$(calc "$one / $two")"
printf 'failover: %d partitions of a worker killed with SIGKILL, running elsewhere and checkpointed after %.1f s (lease %d s; target <= %d s)\n' \
    "$held" "$failover_s" "$LEASE" "$((LEASE + 5))"
echo "checkpoints at the end, 2 workers (size, upload):"
sed -n 's/^\(partition [0-9]*\):.*last checkpoint [^ ]* (\(.*\))$/  \1: \2/p' "$work/status-w2.txt"

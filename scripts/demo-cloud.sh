#!/usr/bin/env bash
# make demo-cloud: the cloud half of Tillflow on this machine (live.md sections 3-4).
# A hub and two stores' leaf nodes (three nats-servers from deploy/nats/), an edge node
# per store fed by `tillflow simulate`, the hub sourcing both stores, two workers and a
# submitted `edge` job. Store 2's WAN link (a small TCP relay, scripts/wan-link.py) is
# cut for DEMO_CUT seconds and comes back; at the end the demo prints each store's sync
# lag, `jobs status`, the global rollups' latest rows, and the edge's and the cloud's
# counts for each store side by side. Everything runs on loopback in a temporary
# directory and is stopped and removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${TILLFLOW_BIN:-.build/release/tillflow}
SECONDS_TO_RUN=${DEMO_SECONDS:-40}
CUT=${DEMO_CUT:-15}
RATE=${DEMO_RATE:-100}
source scripts/live-processes.sh
live_begin tillflow-demo-cloud

leaf_port=$(free_port)
start_configured hub deploy/nats/hub.conf TILLFLOW_HUB_DIR="$work/hub/js" TILLFLOW_HUB_LEAF_LISTEN="127.0.0.1:$leaf_port"
HUB=$NATS_URL
wan_port=$(free_port)
python3 scripts/wan-link.py "$wan_port" "$leaf_port" &
wan=$!
started $wan
declare -A STORE_URL
for n in 1 2; do
    store=store-000$n
    link=$([ "$n" = 2 ] && echo "$wan_port" || echo "$leaf_port")
    start_configured "$store" deploy/nats/store-leaf.conf TILLFLOW_STORE="$store" TILLFLOW_STORE_DIR="$work/$store/js" \
        TILLFLOW_HUB_LEAF_URL="nats-leaf://127.0.0.1:$link"
    STORE_URL[$store]=$NATS_URL
done
echo "hub at $HUB; store-0001 at ${STORE_URL[store-0001]}; store-0002 at ${STORE_URL[store-0002]} (its WAN through a relay)"

for store in store-0001 store-0002; do
    "$BIN" run edge --nats "${STORE_URL[$store]}" --node "$store" --state-dir "$work/$store/edge" >"$work/$store/edge.out" 2>"$work/$store/edge.log" &
    started $!
done
# The stores' streams exist once their edge nodes are up; then the hub sources them.
sleep 2
for store in store-0001 store-0002; do "$BIN" stores add "$store" --nats "$HUB"; done
# The first worker serves its metrics and status page (http://127.0.0.1:$status_port/).
status_port=$(free_port)
for n in 1 2; do
    status=$([ "$n" = 1 ] && echo "--metrics $status_port" || true)
    # shellcheck disable=SC2086
    "$BIN" worker --nats "$HUB" --state-dir "$work/worker-$n" --lease 5s $status >"$work/worker-$n.out" 2>"$work/worker-$n.log" &
    started $!
done
echo "worker 1's status page: http://127.0.0.1:$status_port/"
"$BIN" submit edge --nats "$HUB" --name cloud --partitions 4 --checkpoint-interval 2s

echo "simulating one store's POS terminals on each leaf at $RATE transactions per second for ${SECONDS_TO_RUN}s ..."
sims=()
for n in 1 2; do
    "$BIN" simulate --nats "${STORE_URL[store-000$n]}" --stores 1 --first-store "$n" --rate "$RATE" \
        --duration "${SECONDS_TO_RUN}s" --seed "$n" >"$work/sim-$n.out" &
    sims+=($!)
    started $!
done
sleep $(( (SECONDS_TO_RUN - CUT) / 2 ))
kill -USR1 "$wan"
echo "store-0002's WAN link is cut for ${CUT}s: the store goes on, the hub waits for it"
sleep $(( CUT / 2 ))
"$BIN" stores list --nats "$HUB" | sed 's/^/  /'
sleep $(( CUT - CUT / 2 ))
kill -USR2 "$wan"
echo "store-0002's WAN link is back"
for pid in "${sims[@]}"; do wait "$pid"; done
cat "$work"/sim-*.out
# The clock marks trail the wall clock by 5 s: a little more lets every window close,
# in the stores and in the cloud.
for _ in $(seq 60); do
    [ "$("$BIN" stores list --nats "$HUB" | grep -c 'lag 0 ')" = 2 ] && break
    sleep 1
done
sleep 12

echo
echo "== each store's sync lag at the hub (tillflow stores list) =="
"$BIN" stores list --nats "$HUB"
echo
echo "== tillflow jobs status cloud =="
"$BIN" jobs status cloud --nats "$HUB"
echo
echo "== the global rollups' latest rows =="
"$BIN" outputs --nats "$HUB" --job cloud --only _global --latest | cut -c1-240
echo
echo "== the edge and the cloud agree on each store (rows per output; lines without a valid store"
echo "   travel on tillflow.in._.*: the cloud dead-letters them under location _, the edge node with its own) =="
rows_per_output() { awk '{ n = split($1, s, "."); sub(/:$/, "", s[n]); print s[n] "=" $2 }' | sort | tr '\n' ' '; }
for store in store-0001 store-0002; do
    echo "$store edge:  $("$BIN" outputs --nats "${STORE_URL[$store]}" --node "$store" --rows 0 | rows_per_output)"
    echo "$store cloud: $("$BIN" outputs --nats "$HUB" --job cloud --only ".$store." --rows 0 | rows_per_output)"
done
echo "_ cloud:          $("$BIN" outputs --nats "$HUB" --job cloud --only ".cloud._." --rows 0 | rows_per_output)"
# The status page as a browser shows it (Debian's chromium, headless), kept in docs/.
if command -v chromium >/dev/null; then
    chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/chromium" --hide-scrollbars \
        --window-size=1280,2400 --screenshot="$PWD/docs/status-page-cloud.png" "http://127.0.0.1:$status_port/" >/dev/null 2>&1 \
        && echo && echo "worker 1's status page, as chromium shows it: docs/status-page-cloud.png"
fi

#!/usr/bin/env bash
# make demo-live: a local nats-server, a live edge node and `tillflow simulate` for a few
# stores for about DEMO_SECONDS, then the simulator's summary, the first rows of each
# output subject and the node's /metrics lines that matter. Everything runs on loopback
# in a temporary directory, and is stopped and removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${TILLFLOW_BIN:-.build/release/tillflow}
SECONDS_TO_RUN=${DEMO_SECONDS:-30}
STORES=${DEMO_STORES:-3}
RATE=${DEMO_RATE:-300}
NODE=demo-node
source scripts/live-processes.sh

live_begin tillflow-demo-live
start_server nats
http_port=$(free_port)
echo "nats-server at $NATS_URL"

"$BIN" run edge --nats "$NATS_URL" --node "$NODE" --state-dir "$work/state" --http "$http_port" >"$work/node.out" 2>"$work/node.log" &
node_pid=$!
started $node_pid
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$http_port/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$http_port/ready" >/dev/null || { echo "the edge node did not become ready:"; cat "$work/node.log"; exit 1; }
echo "edge node $NODE ready: HTTP ingest, /health, /ready and /metrics on 127.0.0.1:$http_port"
echo "simulating $STORES stores at $RATE transactions per second for ${SECONDS_TO_RUN}s ..."

"$BIN" simulate --nats "$NATS_URL" --stores "$STORES" --rate "$RATE" --duration "${SECONDS_TO_RUN}s" --seed 42
# A store's inventory system posts through the node's HTTP ingest: stock, then a reservation.
now_ms=$(( $(date +%s) * 1000 - 1000 ))
echo -n "HTTP ingest of two inventory events: "
curl -sf -X POST "http://127.0.0.1:$http_port/v1/records" --data-binary @- <<BODY
{"type":"stock_set","event_id":"demo-1","location":"store-0001","sku":"SKU-00017","qty":5,"event_time":$now_ms}
{"type":"reserve","reservation_id":"demo-r1","order_id":"demo-o1","location":"store-0001","lines":[{"sku":"SKU-00017","qty":2}],"ttl_ms":900000,"event_time":$((now_ms + 1))}
BODY
echo
# The clock marks run 5 s behind the wall clock: a few seconds more let the windows close.
sleep 8

echo
echo "== what the node published (tillflow outputs --node $NODE --rows 2) =="
"$BIN" outputs --nats "$NATS_URL" --node "$NODE" --rows 2 | cut -c1-220
echo
echo "== the node's /metrics (the lines that matter) =="
curl -sf "http://127.0.0.1:$http_port/metrics" \
    | grep -E '^tillflow_(records_in_total|records_out_total|dead_letters_total|clock_marks_total|watermark_lag_seconds|input_lag_messages|checkpoints_total|checkpoint_size_bytes|nats_connected|publish_latency_seconds_(count|sum)|checkpoint_duration_seconds_(count|sum))' \
    | sort
echo
kill -TERM "$node_pid"
wait "$node_pid"
cat "$work/node.out"
echo "== the node's log =="
cat "$work/node.log"

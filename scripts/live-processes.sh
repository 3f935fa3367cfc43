# Sourced by the scripts that run a live node (scripts/demo-live.sh, Benchmarks/bench-live.sh):
# a temporary work directory, nats-servers on free loopback ports, and every process they
# start stopped (and the directory removed) when the script exits, however it exits.
#
#   live_begin NAME        work=$(mktemp -d /tmp/NAME.XXXXXX); the exit trap
#   started PID            stop PID at exit
#   start_server DIR       nats-server with JetStream in $work/DIR; sets NATS_URL, SERVER_PID
#   start_configured DIR CONF [VAR=VALUE...]
#                          nats-server from the configuration CONF with those variables set
#                          (on a free loopback port, its log in $work/DIR); the same results
#   free_port              a free loopback TCP port
NATS_SERVER=${NATS_SERVER:-.venv/bin/nats-server}

live_begin() {
    work=$(mktemp -d "/tmp/$1.XXXXXX")
    pids=()
    trap live_end EXIT
}

live_end() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}

started() { pids+=("$1"); }

start_server() {
    mkdir -p "$work/$1/ports"
    "$NATS_SERVER" -a 127.0.0.1 -p -1 -js -sd "$work/$1/js" --ports_file_dir "$work/$1/ports" >"$work/$1/nats.log" 2>&1 &
    server_started "$1"
}

start_configured() {
    local dir=$1 conf=$2
    shift 2
    mkdir -p "$work/$dir/ports"
    env "$@" "$NATS_SERVER" -c "$conf" -a 127.0.0.1 -p -1 --ports_file_dir "$work/$dir/ports" >"$work/$dir/nats.log" 2>&1 &
    server_started "$dir"
}

# The server just started in the background: its pid, and its URL once it listens.
server_started() {
    SERVER_PID=$!
    started $SERVER_PID
    for _ in $(seq 200); do compgen -G "$work/$1/ports/*.ports" >/dev/null && break; sleep 0.05; done
    compgen -G "$work/$1/ports/*.ports" >/dev/null || { echo "nats-server in $work/$1 did not start:"; cat "$work/$1/nats.log"; exit 1; }
    NATS_URL=$(python3 -c 'import json,glob,sys; print(json.load(open(glob.glob(sys.argv[1])[0]))["nats"][0])' "$work/$1/ports/*.ports")
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

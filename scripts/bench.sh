#!/usr/bin/env bash
# The benchmark of docs/benchmarks.md, at full scale: the product, a bare Channels fan-out echo
# (the ceiling) and a naive persisted echo (the floor), each on PostgreSQL, Redis and two uvicorn
# processes. Run it on a quiet machine: it takes about 15 minutes and both cores (the ramp
# measures 30 s a rate and leaves the bare echo out: target 2 compares the product and naive).
#
#   make bench                                  # both runs below
#   VISITORS=200 CONSOLES=20 DURATION=20 make bench   # smaller
#   ./scripts/bench.sh --py-spy "$(command -v py-spy)"   # extra options go to both runs
#
# Results: bench/results/<timestamp>.json and a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet -e ".[test]"  # the load generator uses websockets and httpx
./scripts/services.sh
export PATH="$PWD/$VENV/bin:$PATH"
# a socket per client: the generator and the servers need more than the usual 1,024 descriptors
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

VISITORS=${VISITORS:-1000}
CONSOLES=${CONSOLES:-100}
TEAMS=${TEAMS:-10}
RATE=${RATE:-100}
DURATION=${DURATION:-60}
RAMP=${RAMP:-100,200,300,400,600,800,1000}
RAMP_DURATION=${RAMP_DURATION:-30}
RAMP_TARGETS=${RAMP_TARGETS:-product,naive}
PROCS=${PROCS:-3}  # generator processes: three kept their schedule at 800-1,000 msg/s

echo "== 1. latency and loss at $VISITORS visitors, $CONSOLES consoles, $RATE msg/s"
python bench/run.py --visitors "$VISITORS" --consoles "$CONSOLES" --teams "$TEAMS" \
  --rate "$RATE" --duration "$DURATION" --procs "$PROCS" --targets product,bare,naive "$@"

echo "== 2. the highest sustained rate (nothing lost, p99 < 500 ms) of each target"
python bench/run.py --visitors "$VISITORS" --consoles "$CONSOLES" --teams "$TEAMS" \
  --ramp "$RAMP" --duration "$RAMP_DURATION" --procs "$PROCS" --targets "$RAMP_TARGETS" "$@"

#!/usr/bin/env bash
# Measures the README's demo: seconds from `./scripts/run.sh --demo` to the server listening, and to
# /graph.json naming all 30 services of the simulated system. Storage goes to a temporary folder
# (command-line settings win over the demo's), so data/demo is left alone; the server is stopped at
# the end. Needs ports 5080, 4317 and 4318 free. Usage: ./scripts/demo-time.sh [limit-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-180}
tmp=$(mktemp -d)
log="$tmp/server.log"
start=$(date +%s.%N)
./scripts/run.sh --demo "--ConnectionStrings:DepMap=Data Source=$tmp/depmap.db" "--ConnectionStrings:Hangfire=$tmp/hangfire.db" \
  "--Snapshots:Directory=$tmp/graphs" >"$log" 2>&1 &
runner=$!
stop() {
  local server
  server=$(pgrep -P "$runner" 2>/dev/null || true)
  kill -TERM ${server:-} "$runner" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
  rm -rf "$tmp"
}
trap stop EXIT
elapsed() { echo "$(date +%s.%N) - $start" | bc; }
listening=""
while true; do
  if [ -z "$listening" ] && grep -q "Now listening" "$log"; then listening=$(elapsed); echo "listening after ${listening} s"; fi
  count=$(curl -s --max-time 2 http://127.0.0.1:5080/graph.json 2>/dev/null | python3 -c '
import json, sys
names = {"gateway","users","settings","billing","orders","catalog","search","profiles","auth","preferences","sessions","invoices",
         "payments","notifications","cart","inventory","pricing","reviews","recommendations","images","ledger","tax","fraud","currency",
         "warehouse","ratings","email","sms","audit","shipping"}
try:
    graph = json.load(sys.stdin)
except ValueError:
    print(-1); sys.exit()
print(len(names & {n["name"] for n in graph["nodes"] if n["type"] == "service"}))' 2>/dev/null | tail -1 || true)
  if [ "$count" = "30" ]; then
    full=$(elapsed)
    echo "all 30 services on /graph.json after ${full} s (server listening after ${listening:-?} s: $(echo "$full - ${listening:-0}" | bc) s of traffic)"
    grep -m1 "Graph warm-up\|demo: sending" "$log" | sed 's/^ */  /' || true
    exit 0
  fi
  if [ "$(echo "$(elapsed) > $limit" | bc)" = 1 ]; then echo "not complete after $limit s ($count of 30)"; tail -20 "$log"; exit 1; fi
  sleep 0.5
done

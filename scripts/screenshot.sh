#!/usr/bin/env bash
# Regenerates docs/screenshot.png: the page at / on the demo's data. Starts `./scripts/run.sh --demo`
# with storage in a temporary folder, waits until /graph.json names all 30 services of the simulated
# system, then has Debian's headless Chromium (installed when missing) draw the page. Needs ports
# 5080, 4317 and 4318 free. Usage: ./scripts/screenshot.sh [output.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshot.png}
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
tmp=$(mktemp -d)
log="$tmp/server.log"
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
deadline=$((SECONDS + 600))
until curl -s --max-time 2 http://127.0.0.1:5080/graph.json 2>/dev/null | python3 -c '
import json, sys
graph = json.load(sys.stdin)
sys.exit(0 if len([n for n in graph["nodes"] if n["type"] == "service"]) >= 30 else 1)' 2>/dev/null; do
  if [ $SECONDS -gt $deadline ]; then echo "the demo did not fill the map within 600 s"; tail -20 "$log"; exit 1; fi
  sleep 1
done
# Two more aggregation runs, so the ranking and the per-minute charts have something to show.
sleep 15
# Playwright drives Debian's Chromium and waits until the page has drawn its graph.
dotnet run -c Release --project tests/DepMap.PageBenchmark -- screenshot "http://127.0.0.1:5080/?lookback=15m" "$(pwd)/$out"

#!/usr/bin/env bash
# Freshness with two DepMap instances on one PostgreSQL database (issue 15 on issue 13's design): a
# throwaway cluster (scripts/postgres.sh), two Release instances with their default aggregation
# settings (the ingest wake, a 2 s settle time, the recurring job as the backstop on Hangfire in the
# same database), and the freshness bench sending every call's client span to the first instance
# and its server span to the second, so every trace is split across them. Reports p50/p99 from
# acknowledgement to being counted on /graph.json, exactness, and both servers' CPU. Build first:
#   dotnet build -c Release src/DepMap.Server && dotnet build -c Release tests/DepMap.LoadTest
# Usage: tests/DepMap.LoadTest/bench-freshness-postgres.sh [RATE (20000)] [SECONDS (30)] [SPREAD (10)]
set -euo pipefail
cd "$(dirname "$0")/../.."
rate=${1:-20000}; seconds=${2:-30}; spread=${3:-10}
. tests/DepMap.LoadTest/postgres-bench-cluster.sh
sql postgres "CREATE DATABASE depmap_fresh" >/dev/null
cs="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=depmap_fresh"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Their own default aggregation settings: the wake, a 2 s settle time, the recurring backstop.
start_instances 2 "$cs"
status=0
dotnet "$loadtest" freshness --url "http://127.0.0.1:${ports[0]}" --url2 "http://127.0.0.1:${ports[1]}" \
  --rate "$rate" --seconds "$seconds" --spread "$spread" --server-pid "${servers[0]},${servers[1]}" || status=$?
echo "each instance's aggregation runs and traces linked:"
for port in "${ports[@]}"; do
  curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^depmap_aggregation_(traces_linked_total|run_seconds_(count|sum))' | sed "s/^/  [:$port] /" || true
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status

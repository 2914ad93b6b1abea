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
loadtest=tests/DepMap.LoadTest/bin/Release/net10.0/DepMap.LoadTest.dll
server_dll=${DEPMAP_SERVER_DLL:-src/DepMap.Server/bin/Release/net10.0/DepMap.Server.dll}

work=$(mktemp -d "${TMPDIR:-/tmp}/depmap-bench-freshness-pg.XXXXXX")
chmod 755 "$work"
servers=()
cleanup() {
  for s in "${servers[@]}"; do kill "$s" 2>/dev/null || true; wait "$s" 2>/dev/null || true; done
  scripts/postgres.sh stop "$work/cluster" || true
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO rm -rf "$work"
}
trap cleanup EXIT
server_cs=$(scripts/postgres.sh start "$work/cluster")
pg_port=$(echo "$server_cs" | grep -o 'Port=[0-9]*' | cut -d= -f2)
psql "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" -tAqc "CREATE DATABASE depmap_fresh" >/dev/null
cs="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=depmap_fresh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(psql --version)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ports=()
for i in 1 2; do
  port=$(free_port); ports+=("$port")
  dotnet "$server_dll" "--urls=http://127.0.0.1:$port" --Storage:Provider=PostgreSql "--ConnectionStrings:DepMap=$cs" \
    >"$work/server-$i.log" 2>&1 &
  servers+=($!)
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "an instance did not start:"; tail -20 "$work"/server-*.log; exit 3; }
done
status=0
dotnet "$loadtest" freshness --url "http://127.0.0.1:${ports[0]}" --url2 "http://127.0.0.1:${ports[1]}" \
  --rate "$rate" --seconds "$seconds" --spread "$spread" --server-pid "${servers[0]},${servers[1]}" || status=$?
echo "each instance's aggregation runs and traces linked:"
for port in "${ports[@]}"; do
  curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^depmap_aggregation_(traces_linked_total|run_seconds_(count|sum))' | sed "s/^/  [:$port] /" || true
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status

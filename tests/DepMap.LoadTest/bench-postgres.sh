#!/usr/bin/env bash
# The PostgreSQL ingest bench (issue 13): a throwaway PostgreSQL cluster (scripts/postgres.sh, fsync
# on), then OTLP/HTTP protobuf ingest into it from one and from two DepMap instances (Release
# builds on free ports, each run on a fresh database; with two, one load generator per instance,
# as a balancer would spread requests), every acknowledged span counted back in the span table,
# and, in the same run, PostgreSQL's own binary COPY rate of the span rows just stored (the limit
# to compare with). The aggregation does not run: this measures ingest alone. Build first:
#   dotnet build -c Release src/DepMap.Server && dotnet build -c Release tests/DepMap.LoadTest
# Each instance first takes WARMUP seconds of the same load, not measured (its spans are counted in
# the zero-loss check): a fresh process spends the first tens of seconds compiling its hot paths
# with the JIT, 12% of the machine's CPU in the middle of an unwarmed 20 s run with two instances.
# Usage: tests/DepMap.LoadTest/bench-postgres.sh [SECONDS (20)] [SERVICES (500)] [CONNECTIONS (8, in all)] [WARMUP (10)]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}; services=${2:-500}; connections=${3:-8}; warmup=${4:-10}
loadtest=tests/DepMap.LoadTest/bin/Release/net10.0/DepMap.LoadTest.dll
# DEPMAP_SERVER_DLL runs another build (a baseline beside a change, in the same session).
server_dll=${DEPMAP_SERVER_DLL:-src/DepMap.Server/bin/Release/net10.0/DepMap.Server.dll}

work=$(mktemp -d "${TMPDIR:-/tmp}/depmap-bench-postgres.XXXXXX")
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
sql() { psql "host=127.0.0.1 port=$pg_port user=postgres dbname=$1" -tAqc "$2"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(psql --version)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

for instances in 1 2; do
  db="depmap_bench_$instances"
  sql postgres "CREATE DATABASE $db" >/dev/null
  cs="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$db"
  servers=(); ports=()
  # Started together: the schema migration's advisory lock lets one instance migrate at a time.
  for i in $(seq 1 "$instances"); do
    port=$(free_port); ports+=("$port")
    dotnet "$server_dll" "--urls=http://127.0.0.1:$port" --Storage:Provider=PostgreSql "--ConnectionStrings:DepMap=$cs" \
      "--Aggregation:Cron=0 0 1 1 *" --Aggregation:WakeOnIngest=false >"$work/server-$instances-$i.log" 2>&1 &
    servers+=($!)
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "an instance did not start:"; tail -20 "$work"/server-*.log; exit 3; }
  done
  echo "== $instances instance(s), $connections connections in all, $services services, ${seconds} s after ${warmup} s of warm-up"
  warmed=0
  if [ "$warmup" -gt 0 ]; then
    generators=()
    for i in $(seq 0 $((instances - 1))); do
      dotnet "$loadtest" --url "http://127.0.0.1:${ports[$i]}" --services "$services" --seconds "$warmup" \
        --connections $((connections / instances)) >"$work/warmup-$instances-$i.txt" 2>&1 &
      generators+=($!)
    done
    for g in "${generators[@]}"; do wait "$g" || true; done
    for i in $(seq 0 $((instances - 1))); do
      warmed=$((warmed + $(grep '^acknowledged' "$work/warmup-$instances-$i.txt" | awk '{print $2}' | tr -d ,)))
    done
  fi
  generators=()
  for i in $(seq 0 $((instances - 1))); do
    dotnet "$loadtest" --url "http://127.0.0.1:${ports[$i]}" --services "$services" --seconds "$seconds" \
      --connections $((connections / instances)) --server-pid "${servers[$i]}" >"$work/load-$instances-$i.txt" 2>&1 &
    generators+=($!)
  done
  for g in "${generators[@]}"; do wait "$g" || true; done
  acked=0; rate=0
  for i in $(seq 0 $((instances - 1))); do
    sed "s/^/  [instance $((i + 1))] /" "$work/load-$instances-$i.txt" | grep -E "acknowledged|latency|refused|cores used"
    line=$(grep '^acknowledged' "$work/load-$instances-$i.txt")
    acked=$((acked + $(echo "$line" | awk '{print $2}' | tr -d ,)))
    rate=$((rate + $(echo "$line" | awk '{print $(NF-1)}' | tr -d ,)))
  done
  acked=$((acked + warmed))
  stored=$(sql "$db" "SELECT count(*) FROM spans")
  echo "  in all: ${rate} spans/s acknowledged; rows stored ${stored} vs spans acknowledged ${acked} (warm-up included): $([ "$stored" -eq "$acked" ] && echo "zero loss" || echo MISMATCH)"
  echo "$rate" >"$work/rate-$instances"
  for s in "${servers[@]}"; do kill "$s"; wait "$s" 2>/dev/null || true; done
  servers=()
done
echo "load average after ingest: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== PostgreSQL's own binary COPY of the same span rows (database depmap_bench_2)"
for writers in 1 2; do
  line=$(dotnet "$loadtest" postgres-baseline --connection "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=depmap_bench_2" \
    --seconds 10 --rows 4096 --writers "$writers")
  copy=$(echo "$line" | awk '{print $(NF-1)}' | tr -d ,)
  ingest=$(cat "$work/rate-$writers")
  echo "  $line; ingest with $writers instance(s) reached $(awk -v a="$ingest" -v b="$copy" 'BEGIN { printf "%.2f", a / b }') of it"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

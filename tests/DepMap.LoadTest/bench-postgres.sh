#!/usr/bin/env bash
# The PostgreSQL ingest bench (issue 13): a throwaway PostgreSQL cluster (scripts/postgres.sh, fsync
# on), then OTLP/HTTP protobuf ingest into it from one and from two DepMap instances (Release
# builds on free ports, each run on a fresh database; with two, one load generator per instance,
# as a balancer would spread requests), every acknowledged span counted back in the span table,
# and, in the same run, PostgreSQL's own binary COPY rate of the span rows just stored (the limit
# to compare with). The aggregation does not run: this measures ingest alone. Build first:
#   dotnet build -c Release src/DepMap.Server && dotnet build -c Release tests/DepMap.LoadTest
# Each instance first takes WARMUP seconds of the same load (the generator's --warmup), not measured
# (its spans, and those answered after the deadline, are counted in the zero-loss check): a fresh process spends the first tens of seconds compiling its hot paths
# with the JIT, 12% of the machine's CPU in the middle of an unwarmed 20 s run with two instances.
# Usage: tests/DepMap.LoadTest/bench-postgres.sh [SECONDS (20)] [SERVICES (500)] [CONNECTIONS (8, in all)] [WARMUP (10)]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}; services=${2:-500}; connections=${3:-8}; warmup=${4:-10}
. tests/DepMap.LoadTest/postgres-bench-cluster.sh
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

for instances in 1 2; do
  db="depmap_bench_$instances"
  sql postgres "CREATE DATABASE $db" >/dev/null
  cs="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$db"
  start_instances "$instances" "$cs" "--Aggregation:Cron=0 0 1 1 *" --Aggregation:WakeOnIngest=false
  echo "== $instances instance(s), $connections connections in all, $services services, ${seconds} s after ${warmup} s of warm-up"
  generators=()
  for i in $(seq 0 $((instances - 1))); do
    dotnet "$loadtest" --url "http://127.0.0.1:${ports[$i]}" --services "$services" --seconds "$seconds" --warmup "$warmup" \
      --connections $((connections / instances)) --server-pid "${servers[$i]}" >"$work/load-$instances-$i.txt" 2>&1 &
    generators+=($!)
  done
  for g in "${generators[@]}"; do wait "$g" || true; done
  acked=0; rate=0
  for i in $(seq 0 $((instances - 1))); do
    sed "s/^/  [instance $((i + 1))] /" "$work/load-$instances-$i.txt" | grep -E "acknowledged|latency|refused|cores used"
    # Every acknowledged span counts for zero loss: the warm-up's and those answered after the deadline too.
    out="$work/load-$instances-$i.txt"
    number() { local v; v=$(grep -m1 -oE "$1" "$out" | grep -oE '[0-9][0-9,]*' | head -1 | tr -d ,); echo "${v:-0}"; }
    acked=$((acked + $(number '^acknowledged [0-9,]+') + $(number 'and [0-9,]+ acknowledged after') + $(number 'measured\): acknowledged [0-9,]+')))
    rate=$((rate + $(grep -m1 '^acknowledged' "$out" | grep -oE '[0-9,]+ spans/s' | tr -d , | cut -d' ' -f1)))
  done
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

#!/usr/bin/env bash
# The overload bench (issue 12): accepted spans/s and acknowledgement p50/p99 at 32 and at 1,000
# concurrent OTLP/HTTP requests, for a baseline commit and for this checkout, alternating in one
# run so both see the same machine. Each case is a fresh server through bench-ingest.sh on --port
# (HTTP/1.1 only, off the default ports), ingest alone (no recurring aggregation), each run measured
# after a --warmup of unmeasured load (the JIT and the pools warm up first).
# Build this checkout first: dotnet build -c Release src/DepMap.Server tests/DepMap.LoadTest
# Usage: tests/DepMap.LoadTest/bench-overload.sh [--before REV (default: where this branch left main)] [--seconds 20] [--warmup 10]
#          [--port 15080] [--concurrency "32 1000"] [--rounds 1]
# REV is exported with git archive into /tmp/depmap-bench-<commit> and built there once. Each run's
# server log is kept as artifacts/bench-overload-server-<round>-<build>-<concurrency>.log.
set -euo pipefail
cd "$(dirname "$0")/../.."

before=$(git merge-base main HEAD); seconds=20; warmup=10; port=15080; concurrency="32 1000"; rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --before) before="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

base=$(git rev-parse --short "$before")
after=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo "+uncommitted")
base_dir="/tmp/depmap-bench-$base"
base_dll="$base_dir/src/DepMap.Server/bin/Release/net10.0/DepMap.Server.dll"
if [ ! -f "$base_dll" ]; then
  rm -rf "$base_dir"; mkdir -p "$base_dir"
  git archive "$base" | tar -x -C "$base_dir"
  dotnet build -c Release "$base_dir/src/DepMap.Server" >"$base_dir.build.log" 2>&1 || { echo "building $base failed: $base_dir.build.log" >&2; exit 3; }
fi

summary=()
for round in $(seq 1 "$rounds"); do
  for n in $concurrency; do
    for build in before after; do
      if [ "$build" = before ]; then dll="$base_dll"; label="before ($base)"; else dll=src/DepMap.Server/bin/Release/net10.0/DepMap.Server.dll; label="after ($after)"; fi
      echo "=== round $round, $label, $n concurrent requests"
      out=$(tests/DepMap.LoadTest/bench-ingest.sh --no-aggregation --port "$port" --server-dll "$dll" -- \
        --services 50 --seconds "$seconds" --warmup "$warmup" --connections "$n" 2>&1 || true)
      echo "$out"
      cp artifacts/bench-server.log "artifacts/bench-overload-server-$round-$build-$n.log" 2>/dev/null || true
      load=$(grep -o 'load average before: .*' <<<"$out" | cut -d: -f2)
      rate=$(grep -o 'in [0-9.]* s: [0-9,]* spans/s' <<<"$out" | grep -o '[0-9,]* spans/s')
      lat=$(grep -o 'p50 [0-9.]* ms, p99 [0-9.]* ms' <<<"$out")
      ref=$(grep -o 'refused (429/503) [0-9,]* ([0-9,]*/s), failed [0-9,]*' <<<"$out")
      hwm=$(grep -o 'VmHWM [0-9,]* MiB' <<<"$out")
      cpu=$(grep -o 'generator [0-9.]*, server [0-9.]*' <<<"$out")
      per=$(grep -o '[0-9.]* µs per accepted span' <<<"$out")
      gc=$(grep -o 'window: server [0-9 /]*' <<<"$out" | sed 's/window: server //')
      summary+=("$label | $n | ${rate:-?} | ${lat:-?} | ${ref:-?} | ${cpu:-?} | ${per:-?} | ${gc:-?} | ${hwm:-?} | load${load}")
    done
  done
done
echo
echo "build | concurrent | accepted | ack latency | refused/failed | cores used | server CPU | server gen0/1/2 | server peak | load average before"
printf '%s\n' "${summary[@]}"

#!/usr/bin/env bash
# The ingest bench command: starts a fresh Release DepMap server on this checkout's data/ (deleted
# before and after), runs the bounded loopback load generator against it with the server's pid (for
# its memory), optionally times a flush aggregation over everything stored, prints the database
# report, and stops the server it started. Build first:
#   dotnet build -c Release src/DepMap.Server tests/DepMap.LoadTest
# Usage: tests/DepMap.LoadTest/bench-ingest.sh [--no-aggregation] [--flush] [--port N] [--server-arg ARG]...
#          [--server-dll PATH] -- LOADTEST_ARGS...
#   e.g. tests/DepMap.LoadTest/bench-ingest.sh -- --services 500 --seconds 60 --sqlite-baseline 5
#        tests/DepMap.LoadTest/bench-ingest.sh --no-aggregation --flush -- --services 500 --seconds 30
# --no-aggregation moves the recurring aggregation to once a year and turns off its wake on ingest, so ingest runs alone and a
# --flush afterwards finds every span still pending. --server-arg passes one setting to the server,
# e.g. --server-arg --Aggregation:RecurringSpanBatchSize=100000. --port serves every HTTP API on
# that one port (HTTP/1.1, no gRPC) instead of 5080/4318/4317, for a machine where those are taken;
# the load generator then needs --url http://127.0.0.1:N (or is given it when no --url is passed).
# --server-dll runs another build of the server (an older commit, for a before/after comparison)
# with this checkout's settings and data folder.
set -euo pipefail
cd "$(dirname "$0")/../.."

server_args=(); flush=0; port=; dll=src/DepMap.Server/bin/Release/net10.0/DepMap.Server.dll
while [ $# -gt 0 ]; do
  case "$1" in
    --no-aggregation) server_args+=("--Aggregation:Cron=0 0 1 1 *" "--Aggregation:WakeOnIngest=false"); shift ;;
    --flush) flush=1; shift ;;
    --server-arg) server_args+=("$2"); shift 2 ;;
    --port) port="$2"; server_args+=("--urls=http://127.0.0.1:$2"); shift 2 ;;
    --server-dll) dll="$2"; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done

ports=(5080 4318 4317); base="http://127.0.0.1:5080"
if [ -n "$port" ]; then
  ports=("$port"); base="http://127.0.0.1:$port"
  [[ " $* " == *" --url "* ]] || set -- "$@" --url "$base"
fi
for p in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "port $p is in use: another server is running; stop it first" >&2; exit 2
  fi
done

rm -rf data
mkdir -p artifacts
dotnet "$dll" "${server_args[@]}" >artifacts/bench-server.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf data' EXIT

for _ in $(seq 1 120); do
  curl -sf "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "server exited; see artifacts/bench-server.log" >&2; exit 3; }
  sleep 0.5
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
dotnet tests/DepMap.LoadTest/bin/Release/net10.0/DepMap.LoadTest.dll --db data/depmap.db --server-pid "$server" "$@" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$flush" -eq 1 ]; then
  rows=$(dotnet tests/DepMap.LoadTest/bin/Release/net10.0/DepMap.LoadTest.dll --report --db data/depmap.db | grep -o '^database [0-9,]*' | tr -dc 0-9)
  echo "flush aggregation over $rows stored spans:"
  seconds=$(curl -s --max-time 900 -o artifacts/bench-flush.json -w '%{time_total}' -X POST "$base/api/aggregate?flush=true")
  echo "  $(cat artifacts/bench-flush.json) in ${seconds} s: $(awk -v r="$rows" -v s="$seconds" 'BEGIN { printf "%.0f spans/s end to end", r / s }')"
  dotnet tests/DepMap.LoadTest/bin/Release/net10.0/DepMap.LoadTest.dll --report --db data/depmap.db --server-pid "$server"
fi
exit "$status"

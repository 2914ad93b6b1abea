# Sourced by the PostgreSQL benches (bench-postgres.sh, bench-freshness-postgres.sh): a throwaway
# cluster in a fresh work folder (scripts/postgres.sh, fsync on), the servers the bench starts
# (their pids in `servers`), and cleanup of both on exit. Gives work, pg_port, server_dll and
# loadtest, and the helpers sql DB SQL and free_port. Run from the repository root.
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
# A port nothing listens on, without python3: a connection to it is refused.
free_port() { local port; while true; do port=$((20000 + RANDOM % 12000)); if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi; done; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(psql --version)"
# start_instances N CONNECTION_STRING [SERVER ARGS...]: N Release instances on free ports, started
# together (the migration's advisory lock lets one migrate at a time), each answering /healthz;
# sets ports and servers.
start_instances() {
  local n=$1 connection=$2 i port; shift 2
  servers=(); ports=()
  for i in $(seq 1 "$n"); do
    port=$(free_port); ports+=("$port")
    dotnet "$server_dll" "--urls=http://127.0.0.1:$port" --Storage:Provider=PostgreSql "--ConnectionStrings:DepMap=$connection" \
      "$@" >"$work/server-$n-$i.log" 2>&1 &
    servers+=($!)
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "an instance did not start:"; tail -20 "$work"/server-*.log; exit 3; }
  done
}

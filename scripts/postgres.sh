#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the tests (issue 13), from Debian's packages.
#   scripts/postgres.sh start DIR   installs `postgresql` when missing, creates and starts a cluster
#                                   in DIR on a free port, prints its Npgsql connection string
#   scripts/postgres.sh stop DIR    stops it (the folder is left for the caller to remove)
# The folders above DIR must be open to the postgres user (mktemp -d makes them 700: chmod 755).
# As root, pg_ctl refuses to run, so the cluster belongs to the `postgres` user.
set -euo pipefail
command="${1:?start or stop}"; dir="${2:?a folder for the cluster}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$found" ] && echo "$found"
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else $SUDO runuser -u postgres -- "$@"; fi
}

# A port nothing listens on, in bash alone (a fresh machine may have no python3): a connection to
# it is refused. Random in the range Linux does not hand out as ephemeral ports by default.
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

case "$command" in
  start)
    if [ -z "$(bin)" ]; then
      echo "installing postgresql" >&2
      $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
    fi
    pg="$(bin)"
    mkdir -p "$dir"; $SUDO chown postgres "$dir"
    as_postgres "$pg/initdb" -D "$dir" -U postgres -A trust >/dev/null
    port=$(free_port)
    # fsync stays on: the tests check durability; the cluster is small and short-lived otherwise.
    as_postgres "$pg/pg_ctl" -D "$dir" -l "$dir/log" -w -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=200" start >/dev/null
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  stop)
    pg="$(bin)"
    [ -f "$dir/postmaster.pid" ] && as_postgres "$pg/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

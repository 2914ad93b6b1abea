#!/usr/bin/env bash
# Builds and runs DepMap on a fresh Debian machine with the .NET SDK: embedded SQLite (data/depmap.db),
# no other server. Installs Graphviz (`dot`, for /graph.svg) with apt-get when it is missing.
# Extra arguments go to the server, e.g. ./scripts/run.sh --urls http://0.0.0.0:5080; --demo adds
# simulated services sending to it (the README's "See it fill with live traffic").
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null 2>&1; then
  echo "installing graphviz (for /graph.svg)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >/dev/null
fi

exec dotnet run -c Release --project src/DepMap.Server -- "$@"

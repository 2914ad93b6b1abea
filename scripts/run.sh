#!/usr/bin/env bash
# Builds and runs DepMap on a fresh Debian machine with the .NET SDK: embedded SQLite (data/depmap.db),
# no other server. Installs Graphviz (`dot`, for /graph.svg) with apt-get when it is missing.
# Extra arguments go to the server, e.g. ./scripts/run.sh --urls http://0.0.0.0:5080; --demo adds
# simulated services sending to it (the README's "See it fill with live traffic").
# The server is built once into artifacts/run and started from there; it is built again only when
# a file under src/ (or the build's settings) is newer than that build: `dotnet run` spends a minute
# or more of a loaded machine checking an up-to-date build on every start (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null 2>&1; then
  echo "installing graphviz (for /graph.svg)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >/dev/null
fi

out=artifacts/run
stamp="$out/.built"
changed() {
  [ ! -f "$stamp" ] && return 0
  [ -n "$(find src global.json Directory.Build.props Directory.Packages.props \( -name bin -o -name obj \) -prune -o -newer "$stamp" -print -quit)" ]
}
if changed; then
  echo "building DepMap into $out (again only when src/ changes)"
  # Stamped with the time the build started, so an edit made during the build is built next time.
  mkdir -p "$out" && rm -f "$stamp" && touch "$stamp.pending"
  dotnet build src/DepMap.Server -c Release -o "$out" -nologo -v quiet -clp:ErrorsOnly
  mv "$stamp.pending" "$stamp"
fi

# Two C-allocator arenas instead of up to eight per core: with more, memory SQLite freed stayed with
# the process (about 270 MiB after ten minutes at 59,000 spans/s, 1,134 MiB in all; 908 MiB with two;
# docs/benchmarks.md). Glibc reads it only at the process's start, so it is set here.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

# From the repository's root, whose appsettings.json the server reads (relative paths in it too).
exec dotnet "$out/DepMap.Server.dll" "$@"

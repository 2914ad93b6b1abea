#!/usr/bin/env bash
# Runs every DepMap test on a fresh Debian machine with the .NET SDK: installs what the tests need
# (Graphviz for `dot`, Chromium for the page's browser tests, Prometheus for the metrics test,
# PostgreSQL for the PostgreSQL provider's tests), runs the suite, and ends with "N passed, N failed" counted from the TRX
# results (not from `dotnet test`'s own summary).
set -uo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
# The page's browser tests drive Debian's Chromium (Playwright never downloads a browser here).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# A real Prometheus scrapes DepMap in the Grafana service-graph test.
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The PostgreSQL tests (issue 13) find their server through DEPMAP_TEST_POSTGRES: a developer's own
# when it is set, else a throwaway cluster started here (scripts/postgres.sh installs Debian's
# postgresql when missing) and stopped when this script exits, however it exits.
if [ -z "${DEPMAP_TEST_POSTGRES:-}" ]; then
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/depmap-postgres.XXXXXX")
  # mktemp makes the folder 700; the cluster inside belongs to the postgres user, who must reach it.
  chmod 755 "$pg_dir"
  stop_postgres() {
    scripts/postgres.sh stop "$pg_dir/cluster" || true
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO rm -rf "$pg_dir"
  }
  trap stop_postgres EXIT
  if DEPMAP_TEST_POSTGRES=$(scripts/postgres.sh start "$pg_dir/cluster"); then
    export DEPMAP_TEST_POSTGRES
    echo "PostgreSQL for the tests: $DEPMAP_TEST_POSTGRES"
  else
    echo "scripts/postgres.sh could not start PostgreSQL: the PostgreSQL tests will fail saying so"
  fi
fi

results="$(pwd)/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet test DepMap.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?

# The service's tests again with every test host on PostgreSQL (issue 13): each host gets a
# database of its own on the same server. Left out: the tests of SQLite's own files and locks
# (Provider=Sqlite), those that already run on PostgreSQL (Provider=PostgreSql), and the fault suite,
# whose real server processes run on SQLite files (its PostgreSQL case is ScaleOutTests). Only in a
# whole run: arguments (a --filter) are for the first pass.
if [ "$#" -eq 0 ]; then
  DEPMAP_TEST_PROVIDER=PostgreSql dotnet test tests/DepMap.Server.Tests -c Release --no-build \
    --logger "trx;LogFilePrefix=postgresql" --results-directory "$results" \
    --filter "Category!=Faults&Provider!=Sqlite&Provider!=PostgreSql"
  postgres_status=$?
  [ "$postgres_status" -ne 0 ] && status=$postgres_status
fi

# Style is checked like a test: code that `dotnet format` would change fails the run.
format_failed=0
if ! dotnet format DepMap.sln --verify-no-changes --no-restore; then
  echo "dotnet format --verify-no-changes: the code is not formatted (run: dotnet format DepMap.sln)"
  format_failed=1
fi

passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  p=$(grep -o '<Counters [^>]*' "$f" | grep -o 'passed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
  x=$(grep -o '<Counters [^>]*' "$f" | grep -o 'failed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
  # A skipped test (a fault this machine cannot build) is counted in total but not in executed,
  # and is neither passed nor failed.
  t=$(grep -o '<Counters [^>]*' "$f" | grep -o ' total="[0-9]*"' | grep -o '[0-9]*' || echo 0)
  e=$(grep -o '<Counters [^>]*' "$f" | grep -o 'executed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
  passed=$((passed + ${p:-0})); failed=$((failed + ${x:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
# Tests that stop being discovered pass silently (`dotnet test` exits 0 when nothing runs), so
# every test project must have written results, and the total must not fall below the floor kept
# in tests/test-count-floor.txt (raise it when tests are added; lower it only on purpose).
discovery_failed=0
for project in tests/*Tests/*Tests.csproj; do
  name=$(basename "$project" .csproj)
  if ! grep -qsi "${name}.dll" "$results"/*.trx; then
    echo "$name reported no test results"
    discovery_failed=1
  fi
done
floor=$(grep -o '^[0-9]*' tests/test-count-floor.txt | head -1)
if [ $((passed + failed)) -lt "${floor:-0}" ]; then
  echo "$((passed + failed)) tests ran, fewer than the floor of ${floor} in tests/test-count-floor.txt"
  discovery_failed=1
fi
failed=$((failed + discovery_failed))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or a test host failed before any result was written: that is a failure too.
  failed=1
fi
failed=$((failed + format_failed))
# The fault suite's figures (kills, spans acknowledged and counted, time to recover; docs/reliability.md).
if [ -f "$results/fault-figures.txt" ]; then
  echo "fault suite figures:"; sed 's/^/  /' "$results/fault-figures.txt"
fi
if [ "$skipped" -gt 0 ]; then
  echo "${skipped} skipped: neither passed nor failed (each skipped test prints its reason)"
fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]

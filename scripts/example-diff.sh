#!/usr/bin/env bash
# Regenerates graphs/examples/: two snapshots of the docs' logistics example traffic and their
# diff picture, drawn by a real DepMap server and Graphviz dot. The base hour is the example trace
# (docs/examples/logistics-tracking.otlp.json) ten times; the head hour is the same traffic an hour
# later where tracking fails 4 calls in 10 and logistics also calls a new inventory service.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=${PORT:-5099}
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build -v q -nologo src/DepMap.Server >/dev/null
ConnectionStrings__DepMap="Data Source=$work/depmap.db" ConnectionStrings__Hangfire="$work/hangfire.db" \
Snapshots__Directory="$work/graphs" Snapshots__Schedules__hourly__Cron="" Snapshots__Schedules__daily__Cron="" \
  dotnet run --no-build --project src/DepMap.Server -- --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done

python3 - "$work" <<'PY'
import copy, json, sys
example = json.load(open("docs/examples/logistics-tracking.otlp.json"))
hour = 3600 * 10**9
def variant(trace, shift, head):
    doc = copy.deepcopy(example)
    for rs in doc["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            extra = []
            for s in ss["spans"]:
                s["traceId"] = f"{trace:032x}"
                for k in ("startTimeUnixNano", "endTimeUnixNano"):
                    s[k] = str(int(s[k]) + shift)
                if head and s["name"] == "GET /tracking/:id" and s["kind"] == 2 and trace % 10 < 4:
                    s["status"] = {"code": 2, "message": "tracking store unavailable"}
                if head and s["name"] == "GET /tracking/:id" and s["kind"] == 3:
                    call = copy.deepcopy(s)
                    call["spanId"] = "6f708192a3b4c5d6"
                    call["name"] = "GET /stock/:sku"
                    call["attributes"] = [a for a in call["attributes"] if a["key"] not in ("peer.service", "server.address")]
                    call["attributes"].append({"key": "peer.service", "value": {"stringValue": "inventory"}})
                    extra.append(call)
            ss["spans"].extend(extra)
    return doc
batches = [variant(0x100 + i, i * 60 * 10**9, False) for i in range(10)]
batches += [variant(0x200 + i, hour + i * 60 * 10**9, True) for i in range(10)]
body = {"resourceSpans": [rs for b in batches for rs in b["resourceSpans"]]}
json.dump(body, open(sys.argv[1] + "/traffic.json", "w"))
PY

api="http://127.0.0.1:$port"
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$work/traffic.json" "$api/v1/traces" >/dev/null
curl -sf -X POST "$api/api/aggregate?flush=true" >/dev/null
take() { curl -sf -X POST -H 'Content-Type: application/json' -d "$1" "$api/snapshots" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
base=$(take '{"from":"2025-01-01T00:00:00Z","to":"2025-01-01T01:00:00Z","label":"logistics base"}')
head=$(take '{"from":"2025-01-01T01:00:00Z","to":"2025-01-01T02:00:00Z","label":"logistics head"}')

mkdir -p graphs/examples
curl -sf "$api/snapshots/$base.json" -o graphs/examples/logistics-base.json
curl -sf "$api/snapshots/$head.json" -o graphs/examples/logistics-head.json
curl -sf "$api/snapshots/$head/diff/$base.json" -o graphs/examples/logistics-diff.json
curl -sf "$api/snapshots/$head/diff/$base.svg" -o graphs/examples/logistics-diff.svg
echo "wrote graphs/examples/logistics-{base,head,diff}.json and logistics-diff.svg"

namespace DepMap.Server.Hosting;

/// <summary>A query parameter as the OpenAPI description shows it (the handlers read them by hand, to name each in a 400).</summary>
internal sealed record ApiParameter(string Name, string Type, string? Format, string Description, bool Required = false, string[]? Values = null, long? Minimum = null, long? Maximum = null);

/// <summary>One endpoint's description: what it does, its query parameters, what it answers and how it refuses.</summary>
internal sealed record ApiOperation(string Summary, ApiParameter[] Query, int[] Problems, string[]? Produces = null, string[]? Consumes = null);

/// <summary>
/// What the OpenAPI generator cannot see in DepMap's handlers: query parameters read and checked
/// by <c>QueryParameters</c>, content types of files, and the ProblemDetails answers. Keyed by
/// method and route as the document shows them; the OpenAPI test fails for a mapped route with no
/// row here.
/// </summary>
internal static class ApiDescriptions
{
    private const string Iso = "ISO 8601 instant, e.g. 2025-01-31T14:00:00Z";

    private static readonly ApiParameter[] Window =
    [
        new("lookback", "string", "duration", "Window length ending with the current minute (or at `to`): a whole number and s, m, h, d or w (15m, 1h, 7d); default 1h; at most 400 days; not with `from`"),
        new("from", "string", "date-time", "Window start, " + Iso + "; with `to`"),
        new("to", "string", "date-time", "Window end, " + Iso + "; alone or with `lookback` it ends the window there"),
    ];

    private static readonly ApiParameter[] GraphView =
    [
        .. Window,
        new("focus", "string", null, "A service to walk from (at most 256 characters)"),
        new("depth", "integer", "int32", "Hops around `focus`; default 1; needs `focus`", Minimum: 0, Maximum: 32),
        new("direction", "string", null, "Which way to walk from `focus`; default both; needs `focus`", Values: ["upstream", "downstream", "both"]),
        new("minCalls", "integer", "int64", "Hide edges with fewer calls", Minimum: 0),
        new("group", "string", null, "namespace: draw each service.namespace as one node; none (default): namespaces drawn as clusters", Values: ["namespace", "none"]),
    ];

    private static readonly ApiParameter[] Series =
    [
        .. Window,
        new("step", "string", null, "Bucket size of each point: 1m or 1h (the stored bucket sizes); default 1m up to 6 h, else 1h", Values: ["1m", "1h"]),
    ];

    private static readonly ApiParameter[] ModelName = [new("name", "string", null, "A name kept with the stored file")];

    private static readonly ApiParameter[] Label = [new("label", "string", null, "A label kept with the snapshot (at most 100 characters, no control characters)")];

    private static readonly int[] Ingest = [400, 413, 415, 429, 503];

    private static ApiOperation Graph(string what, string contentType) =>
        new($"The service graph of a window as {what}", GraphView, contentType == "image/svg+xml" ? [400, 500, 503] : [400], [contentType]);

    public static readonly IReadOnlyDictionary<string, ApiOperation> Operations = new Dictionary<string, ApiOperation>
    {
        ["POST /v1/traces"] = new("OTLP/HTTP trace export (protobuf or JSON, optional gzip); answers ExportTraceServiceResponse, with partial_success when spans were refused",
            [], Ingest, ["application/x-protobuf", "application/json"], ["application/x-protobuf", "application/json"]),
        ["POST /api/v2/spans"] = new("Zipkin v2 JSON spans; 202 once committed", [], Ingest, Consumes: ["application/json"]),
        ["POST /api/traces"] = new("Jaeger JSON as Jaeger UI downloads it; 202 once committed", [], Ingest, Consumes: ["application/json"]),
        ["POST /api/aggregate"] = new("Run the aggregation now (the recurring job's request)",
            [new("flush", "boolean", null, "true links every pending trace now instead of waiting for the settle time")], [400]),
        ["GET /graph.json"] = Graph("JSON (docs/graph-json.md)", "application/json"),
        ["GET /graph.dot"] = Graph("Graphviz DOT", "text/vnd.graphviz"),
        ["GET /graph.svg"] = Graph("SVG drawn by Graphviz (header X-DepMap-Layout names the layout; a fallback says so in the picture)", "image/svg+xml"),
        ["GET /graph.mmd"] = Graph("Mermaid", "text/plain"),
        ["GET /api/v2/dependencies"] = new("Zipkin's dependency links (Zipkin's view), for Zipkin Lens",
        [
            new("endTs", "integer", "int64", "End of the window, milliseconds since the epoch", Required: true, Minimum: 1),
            new("lookback", "integer", "int64", "Window length in milliseconds; default 1 day", Minimum: 1),
        ], [400], ["application/json"]),
        ["GET /api/dependencies"] = new("The same links in Jaeger query's {\"data\":[{parent, child, callCount}]}, for Jaeger UI",
        [
            new("endTs", "integer", "int64", "End of the window, milliseconds since the epoch; default now", Minimum: 1),
            new("lookback", "integer", "int64", "Window length in milliseconds; default 1 day", Minimum: 1),
            new("service", "string", null, "Only links touching this service"),
        ], [400]),
        ["GET /services"] = new("Every node of the window with its statistics, health band and reliability facts", Window, [400]),
        ["GET /services/{name}"] = new("One node with its callers and callees", Window, [400, 404]),
        ["GET /services/ranking"] = new("The reliability ranking, least reliable first (docs/ranking.md)", Window, [400]),
        ["GET /services/ranking.csv"] = new("The reliability ranking as CSV", Window, [400], ["text/csv"]),
        ["POST /snapshots"] = new("Take a snapshot now: body {\"lookback\":\"1h\"} or {\"from\":…,\"to\":…}, optional \"label\"; 201 with its id", [], [400]),
        ["GET /snapshots"] = new("Stored snapshots, newest first",
        [
            new("page", "integer", "int32", "Page number; default 1", Minimum: 1, Maximum: int.MaxValue),
            new("pageSize", "integer", "int32", "Snapshots per page; default 20", Minimum: 1, Maximum: 200),
        ], [400]),
        ["GET /snapshots/{id}"] = new("One snapshot's metadata", [], [404]),
        ["DELETE /snapshots/{id}"] = new("Delete a snapshot and its files: local requests, or Authorization: Bearer <Snapshots:AdminToken>", [], [403, 404]),
        ["GET /snapshots/{id}.{format}"] = new("One snapshot as json, dot, svg or mmd", [], [404, 503],
            ["application/json", "text/plain", "image/svg+xml"]),
        ["GET /snapshots/{head}/diff/{base}.{format}"] = new("What changed from snapshot base to snapshot head, as json (docs/diff-json.md) or svg", [], [404, 503],
            ["application/json", "image/svg+xml"]),
        ["GET /graph/diff"] = new("Compare any two, each a snapshot id or a window", DiffSides(), [400, 404], ["application/json"]),
        ["GET /graph/diff.{format}"] = new("Compare any two, as json or svg", DiffSides(), [400, 404, 503], ["application/json", "image/svg+xml"]),
        ["GET /graph/snapshot.json"] = new("The current window in snapshot format (what `depmap snapshot` saves)", [.. Window, .. Label], [400], ["application/json"]),
        ["GET /healthz"] = new("Liveness: the process answers", [], [], ["text/plain"]),
        ["GET /readyz"] = new("Readiness as JSON: storage reachable, aggregation lag under Health:MaxAggregationLagSeconds, Graphviz dot present; 503 when any check fails", [], []),
        ["GET /services/{name}/series"] = new("Calls, errors and p99 of one service per step over the window", Series, [400, 404], ["application/json"]),
        ["GET /edges/series"] = new("Calls, errors and p99 of one edge (caller, callee) per step over the window",
            [new("source", "string", null, "The calling node", Required: true), new("target", "string", null, "The called node", Required: true), .. Series], [400, 404], ["application/json"]),
        ["GET /events"] = new("Server-Sent Events for the page: `aggregated` with {\"version\":N} after every aggregation run that changed the statistics", [], [], ["text/event-stream"]),
        ["GET /ui/settings.json"] = new("The page's settings (the trace link template Ui:TraceUrlTemplate)", [], [], ["application/json"]),
        ["POST /models"] = new("Store a declared model (Backstage catalog YAML, Structurizr workspace JSON or DSL, FINOS CALM JSON) as the body; docs/conformance.md", ModelName, [400, 413, 429], Consumes: ["application/yaml", "application/json", "text/plain"]),
        ["POST /models/rules"] = new("Store architecture rules (YAML or JSON) as the body; docs/conformance.md", ModelName, [400, 413, 429], Consumes: ["application/yaml", "application/json"]),
        ["POST /models/mapping"] = new("Store a mapping of declared entities to observed services (YAML or JSON) as the body", ModelName, [400, 413, 429], Consumes: ["application/yaml", "application/json"]),
        ["GET /models"] = new("The stored models, rules and mappings", [], [], ["application/json"]),
        ["GET /conformance.{format}"] = new("The declared model judged by a window or a snapshot, as json (docs/conformance.md) or svg",
            [.. Window, new("model", "integer", "int64", "A stored model's id; default the newest"), new("snapshot", "integer", "int64", "Judge a stored snapshot instead of a window")],
            [400, 404, 503], ["application/json", "image/svg+xml"]),
        ["GET /graph.backstage.yaml"] = new("The window's graph as Backstage catalog entities (Components and Resources with dependsOn)", Window, [400], ["application/yaml"]),
        ["GET /graph.dsl"] = new("The window's graph as a Structurizr DSL workspace", Window, [400], ["text/plain"]),
        ["GET /metrics"] = new("Prometheus text exposition: Tempo's service-graph series and DepMap's own (docs/metrics.md)", [], [], ["text/plain"]),
    };

    private static ApiParameter[] DiffSides() =>
    [
        new("base", "string", null, "A snapshot id, a lookback (7d, 1h) or a from/to window (ISO 8601 instants joined by /)", Required: true),
        new("head", "string", null, "A snapshot id, a lookback (7d, 1h) or a from/to window (ISO 8601 instants joined by /)", Required: true),
    ];
}

using System.Text.Json;
using DepMap.Core.Diff;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;

namespace DepMap.Core.Snapshots;

/// <summary>
/// Reads the figures a diff needs from graph JSON (<c>docs/graph-json.md</c>): node names and
/// types, edge keys, counts and p95/p99 per side. Unknown fields are ignored, so newer writers stay readable.
/// </summary>
internal static class GraphJsonFigures
{
    public static GraphFigures Read(JsonElement graph, string path, TimeSpan? window)
    {
        var nodes = new List<NodeFigures>();
        var i = 0;
        foreach (var node in SnapshotReading.Property(graph, "nodes", path, JsonValueKind.Array).EnumerateArray())
        {
            var at = $"{path}.nodes[{i++}]";
            var name = SnapshotReading.String(node, "name", at);
            var type = SnapshotReading.OptionalString(node, "type", at);
            nodes.Add(new NodeFigures(name, NodeTypeOf(type, $"{at}.type")));
        }
        var edges = new List<EdgeFigures>();
        i = 0;
        foreach (var edge in SnapshotReading.Property(graph, "edges", path, JsonValueKind.Array).EnumerateArray())
        {
            var at = $"{path}.edges[{i++}]";
            var key = new EdgeKey(SnapshotReading.String(edge, "source", at), SnapshotReading.String(edge, "target", at),
                ConnectionTypeOf(SnapshotReading.OptionalString(edge, "connectionType", at), $"{at}.connectionType"));
            var calls = SnapshotReading.Long(edge, "callCount", at);
            var errors = SnapshotReading.Long(edge, "errorCount", at);
            if (errors > calls)
            {
                throw new SnapshotFormatException($"{at}.errorCount", $"{errors} errors exceed {calls} calls");
            }
            edges.Add(new EdgeFigures(key, calls, errors, Latency(edge, "serverLatency", at), Latency(edge, "clientLatency", at)));
        }
        var duplicate = edges.GroupBy(e => e.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SnapshotFormatException($"{path}.edges", $"edge {duplicate.Key.Caller} -> {duplicate.Key.Callee} listed twice");
        }
        // Nodes named only by an edge are drawn anyway (as ServiceGraph does), so both readings agree.
        var named = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in edges.SelectMany(e => new[] { e.Key.Caller, e.Key.Callee }).Distinct(StringComparer.Ordinal).ToList())
        {
            if (named.Add(name))
            {
                nodes.Add(new NodeFigures(name, NodeType.Service));
            }
        }
        return new GraphFigures(nodes.DistinctBy(n => n.Name, StringComparer.Ordinal), edges, window);
    }

    private static LatencyFigures? Latency(JsonElement edge, string name, string path)
    {
        if (!edge.TryGetProperty(name, out var latency) || latency.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var at = $"{path}.{name}";
        if (latency.ValueKind != JsonValueKind.Object)
        {
            throw new SnapshotFormatException(at, $"expected an object or null, found {SnapshotJson.Kind(latency)}");
        }
        var p95 = SnapshotReading.OptionalDouble(latency, "p95", at) ?? throw new SnapshotFormatException($"{at}.p95", "missing");
        var p99 = SnapshotReading.OptionalDouble(latency, "p99", at) ?? throw new SnapshotFormatException($"{at}.p99", "missing");
        return new LatencyFigures(p95, p99);
    }

    private static NodeType NodeTypeOf(string? word, string path) => word switch
    {
        null or "service" => NodeType.Service,
        "database" => NodeType.Database,
        "broker" => NodeType.Broker,
        "external" => NodeType.External,
        "user" => NodeType.User,
        _ => throw new SnapshotFormatException(path, $"unknown node type \"{word}\" (service, database, broker, external, user)"),
    };

    private static ConnectionType ConnectionTypeOf(string? word, string path) => word switch
    {
        null or "" => ConnectionType.None,
        "database" => ConnectionType.Database,
        "messaging_system" => ConnectionType.MessagingSystem,
        "virtual_node" => ConnectionType.VirtualNode,
        _ => throw new SnapshotFormatException(path, $"unknown connection type \"{word}\" (\"\", database, messaging_system, virtual_node)"),
    };
}

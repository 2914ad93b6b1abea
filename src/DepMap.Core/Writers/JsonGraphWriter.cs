using System.Text;
using System.Text.Json;
using DepMap.Core.Graph;
using DepMap.Core.Statistics;

namespace DepMap.Core.Writers;

/// <summary>
/// Writes a <see cref="ServiceGraph"/> as the JSON documented in <c>docs/graph-json.md</c>: nodes
/// and edges in ordinal order, latencies in milliseconds (3 decimals), times as RFC 3339 UTC.
/// </summary>
public static class JsonGraphWriter
{
    private static readonly double[] Quantiles = [0.5, 0.9, 0.95, 0.99];
    private static readonly string[] QuantileNames = ["p50", "p90", "p95", "p99"];

    public static string Write(ServiceGraph graph, JsonGraphWriterOptions? options = null) =>
        Encoding.UTF8.GetString(WriteUtf8(graph, options));

    public static byte[] WriteUtf8(ServiceGraph graph, JsonGraphWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= JsonGraphWriterOptions.Default;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = options.Indented }))
        {
            json.WriteStartObject();
            json.WriteStartArray("nodes");
            foreach (var node in graph.Nodes)
            {
                WriteNode(json, node);
            }
            json.WriteEndArray();
            json.WriteStartArray("edges");
            foreach (var edge in graph.Edges)
            {
                WriteEdge(json, edge, options);
            }
            json.WriteEndArray();
            json.WriteStartArray("cycles");
            foreach (var cycle in graph.Cycles)
            {
                json.WriteStartArray();
                cycle.ToList().ForEach(n => json.WriteStringValue(n.Name));
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteNode(Utf8JsonWriter json, GraphNode node)
    {
        var statistics = node.Statistics;
        json.WriteStartObject();
        json.WriteString("id", node.Name);
        json.WriteString("name", node.Name);
        json.WriteString("type", GraphText.NodeWord(node.Type));
        json.WriteString("namespace", node.Namespace);
        if (node.Health is { } health)
        {
            json.WriteString("health", GraphText.HealthWord(health));
        }
        else
        {
            json.WriteNull("health");
        }
        json.WriteBoolean("inCycle", node.InCycle);
        json.WriteStartObject("stats");
        json.WriteNumber("requestsServed", statistics.RequestsServed);
        json.WriteNumber("errorCount", statistics.ErrorCount);
        json.WriteNumber("errorRate", Math.Round(statistics.ErrorRate, 6));
        WriteLatency(json, "latency", statistics.Latency);
        json.WriteNumber("callsMade", statistics.CallsMade);
        json.WriteNumber("unnamedCalls", statistics.UnnamedCalls);
        json.WriteNumber("unnamedCallErrors", statistics.UnnamedCallErrors);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteEdge(Utf8JsonWriter json, GraphEdge edge, JsonGraphWriterOptions options)
    {
        var statistics = edge.Statistics;
        json.WriteStartObject();
        json.WriteString("source", edge.Source.Name);
        json.WriteString("target", edge.Target.Name);
        json.WriteString("connectionType", GraphText.ConnectionWord(statistics.Key.ConnectionType));
        json.WriteNumber("callCount", statistics.CallCount);
        json.WriteNumber("errorCount", statistics.ErrorCount);
        json.WriteNumber("errorRate", Math.Round(statistics.ErrorRate, 6));
        WriteLatency(json, "clientLatency", statistics.ClientLatency);
        WriteLatency(json, "serverLatency", statistics.ServerLatency);
        WriteLatency(json, "queueDelay", statistics.QueueDelay);
        json.WriteString("broker", statistics.Broker);
        json.WriteString("destination", statistics.Destination);
        json.WriteStartArray("operations");
        foreach (var op in statistics.Operations)
        {
            WriteOperation(json, op, folded: false);
        }
        if (statistics.OtherOperations is { } other)
        {
            WriteOperation(json, other, folded: true);
        }
        json.WriteEndArray();
        if (options.IncludeTimesAndExemplars)
        {
            WriteTime(json, "firstSeen", statistics.FirstSeen);
            WriteTime(json, "lastSeen", statistics.LastSeen);
            json.WriteStartObject("exemplars");
            if (statistics.SlowestCall is { } slowest)
            {
                json.WriteStartObject("slowest");
                json.WriteString("traceId", slowest.TraceId.ToString());
                json.WriteNumber("durationMs", Ms(slowest.ValueNano));
                json.WriteEndObject();
            }
            if (statistics.LatestFailure is { } failure)
            {
                json.WriteStartObject("latestFailure");
                json.WriteString("traceId", failure.TraceId.ToString());
                WriteTime(json, "time", failure.ValueNano);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteBoolean("inCycle", edge.InCycle);
        json.WriteEndObject();
    }

    private static void WriteOperation(Utf8JsonWriter json, OperationStatistics op, bool folded)
    {
        json.WriteStartObject();
        json.WriteString("name", op.Name);
        json.WriteBoolean("other", folded);
        json.WriteNumber("callCount", op.CallCount);
        json.WriteNumber("errorCount", op.ErrorCount);
        if (op.Latency.IsEmpty)
        {
            json.WriteNull("p99");
        }
        else
        {
            json.WriteNumber("p99", Ms(op.Latency.Quantile(0.99)));
        }
        json.WriteEndObject();
    }

    private static void WriteLatency(Utf8JsonWriter json, string name, LatencySketch sketch)
    {
        if (sketch.IsEmpty)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteNumber("count", sketch.Count);
        for (var i = 0; i < Quantiles.Length; i++)
        {
            json.WriteNumber(QuantileNames[i], Ms(sketch.Quantile(Quantiles[i])));
        }
        json.WriteNumber("mean", Ms(sketch.Mean));
        json.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, long? unixNano)
    {
        if (unixNano is not { } nano)
        {
            json.WriteNull(name);
            return;
        }
        var time = DateTime.UnixEpoch.AddTicks(nano / TimeSpan.NanosecondsPerTick);
        json.WriteString(name, time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static double Ms(double nano) => Math.Round(nano / 1e6, 3);
}

using System.Text;
using System.Text.Json;
using DepMap.Core.Writers;

namespace DepMap.Core.Diff;

/// <summary>Writes a <see cref="GraphDiff"/> as the JSON documented in <c>docs/diff-json.md</c>; every list in ordinal order.</summary>
public static class DiffJsonWriter
{
    public static string Write(GraphDiff diff, DiffSource? @base = null, DiffSource? head = null) =>
        Encoding.UTF8.GetString(WriteUtf8(diff, @base, head));

    public static byte[] WriteUtf8(GraphDiff diff, DiffSource? @base = null, DiffSource? head = null)
    {
        ArgumentNullException.ThrowIfNull(diff);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            WriteSide(json, "base", @base, diff.Base);
            WriteSide(json, "head", head, diff.Head);
            json.WriteStartObject("thresholds");
            json.WriteNumber("errorRateRisePoints", diff.Options.ErrorRateRisePoints);
            json.WriteNumber("p99RiseRatio", diff.Options.P99RiseRatio);
            json.WriteEndObject();
            json.WriteStartObject("summary");
            json.WriteBoolean("topologyChanged", diff.TopologyChanged);
            json.WriteNumber("addedNodes", diff.AddedNodes.Count);
            json.WriteNumber("removedNodes", diff.RemovedNodes.Count);
            json.WriteNumber("addedEdges", diff.AddedEdges.Count);
            json.WriteNumber("removedEdges", diff.RemovedEdges.Count);
            json.WriteNumber("commonEdges", diff.Changes.Count);
            json.WriteNumber("regressedEdges", diff.Regressed.Count);
            json.WriteEndObject();
            json.WriteStartObject("nodes");
            WriteNodes(json, "added", diff.AddedNodes);
            WriteNodes(json, "removed", diff.RemovedNodes);
            json.WriteEndObject();
            json.WriteStartObject("edges");
            WriteEdges(json, "added", diff.AddedEdges);
            WriteEdges(json, "removed", diff.RemovedEdges);
            json.WriteStartArray("common");
            foreach (var change in diff.Changes)
            {
                WriteChange(json, change);
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    private static void WriteSide(Utf8JsonWriter json, string name, DiffSource? source, GraphFigures figures)
    {
        json.WriteStartObject(name);
        json.WriteString("name", source?.Name);
        json.WriteString("label", source?.Label);
        WriteNumberOrNull(json, "windowSeconds", figures.Window is { } w ? Math.Round(w.TotalSeconds, 3) : null);
        json.WriteString("topologyHash", source?.TopologyHash);
        json.WriteString("contentHash", source?.ContentHash);
        json.WriteNumber("nodes", figures.Nodes.Count);
        json.WriteNumber("edges", figures.Edges.Count);
        json.WriteEndObject();
    }

    private static void WriteNodes(Utf8JsonWriter json, string name, IReadOnlyList<NodeFigures> nodes)
    {
        json.WriteStartArray(name);
        foreach (var node in nodes)
        {
            json.WriteStartObject();
            json.WriteString("name", node.Name);
            json.WriteString("type", GraphText.NodeWord(node.Type));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteEdges(Utf8JsonWriter json, string name, IReadOnlyList<EdgeFigures> edges)
    {
        json.WriteStartArray(name);
        foreach (var edge in edges)
        {
            json.WriteStartObject();
            WriteKey(json, edge);
            json.WriteNumber("callCount", edge.CallCount);
            json.WriteNumber("errorCount", edge.ErrorCount);
            json.WriteNumber("errorRate", Math.Round(edge.ErrorRate, 6));
            WriteLatency(json, "serverLatency", edge.ServerLatency);
            WriteLatency(json, "clientLatency", edge.ClientLatency);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteChange(Utf8JsonWriter json, EdgeChange change)
    {
        json.WriteStartObject();
        WriteKey(json, change.Head);
        json.WriteBoolean("regressed", change.Regressed);
        json.WriteStartArray("reasons");
        if (change.Reasons.HasFlag(RegressionReasons.ErrorRate))
        {
            json.WriteStringValue("errorRate");
        }
        if (change.Reasons.HasFlag(RegressionReasons.P99))
        {
            json.WriteStringValue("p99");
        }
        json.WriteEndArray();
        json.WriteStartObject("callCount");
        json.WriteNumber("base", change.Base.CallCount);
        json.WriteNumber("head", change.Head.CallCount);
        json.WriteEndObject();
        json.WriteStartObject("callsPerMinute");
        WriteNumberOrNull(json, "base", change.BaseCallsPerMinute);
        WriteNumberOrNull(json, "head", change.HeadCallsPerMinute);
        WriteNumberOrNull(json, "ratio", change.CallRateRatio);
        json.WriteEndObject();
        json.WriteStartObject("errorRate");
        json.WriteNumber("base", Math.Round(change.Base.ErrorRate, 6));
        json.WriteNumber("head", Math.Round(change.Head.ErrorRate, 6));
        json.WriteNumber("points", change.ErrorRatePoints);
        json.WriteEndObject();
        WriteLatencyChange(json, "p95", change.P95);
        WriteLatencyChange(json, "p99", change.P99);
        json.WriteEndObject();
    }

    private static void WriteKey(Utf8JsonWriter json, EdgeFigures edge)
    {
        json.WriteString("source", edge.Key.Caller);
        json.WriteString("target", edge.Key.Callee);
        json.WriteString("connectionType", GraphText.ConnectionWord(edge.Key.ConnectionType));
    }

    private static void WriteLatency(Utf8JsonWriter json, string name, LatencyFigures? latency)
    {
        if (latency is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteNumber("p95", latency.P95Ms);
        json.WriteNumber("p99", latency.P99Ms);
        json.WriteEndObject();
    }

    private static void WriteLatencyChange(Utf8JsonWriter json, string name, LatencyChange? change)
    {
        if (change is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteString("side", change.Side == LatencySide.Server ? "server" : "client");
        json.WriteNumber("baseMs", change.BaseMs);
        json.WriteNumber("headMs", change.HeadMs);
        WriteNumberOrNull(json, "ratio", change.Ratio);
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

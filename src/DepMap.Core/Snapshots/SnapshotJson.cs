using System.Globalization;
using System.Text;
using System.Text.Json;
using DepMap.Core.Statistics;
using DepMap.Core.Writers;

namespace DepMap.Core.Snapshots;

/// <summary>
/// The snapshot file (<c>docs/snapshots.md</c>): <c>format</c>, <c>version</c>, <c>label</c>,
/// <c>windowSeconds</c>, both hashes, the readable <c>graph</c> (the graph JSON without times and
/// exemplars) and <c>statistics</c>, each edge's and node's serialised statistics in base64, which
/// is what the reader rebuilds the graph from. Indented, sorted, <c>\n</c> line ends and no
/// timestamps, so the same traffic writes the same bytes and <c>git diff</c> shows only real changes.
/// The reader also takes a bare graph JSON (<c>/graph.json</c>), which gives figures only.
/// </summary>
public static class SnapshotJson
{
    public const string FormatName = "depmap-snapshot";
    public const int FormatVersion = 1;

    public static byte[] WriteUtf8(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var graph = snapshot.Graph
            ?? throw new ArgumentException("A snapshot read from a bare graph JSON has no statistics to write.", nameof(snapshot));
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteNumber("version", FormatVersion);
            json.WriteString("label", snapshot.Label);
            if (snapshot.Window is { } window)
            {
                json.WriteNumber("windowSeconds", Math.Round(window.TotalSeconds, 3));
            }
            else
            {
                json.WriteNull("windowSeconds");
            }
            json.WriteString("topologyHash", snapshot.TopologyHash);
            json.WriteString("contentHash", snapshot.ContentHash);
            json.WritePropertyName("graph");
            var graphJson = JsonGraphWriter.WriteUtf8(graph, new JsonGraphWriterOptions { Indented = false, IncludeTimesAndExemplars = false });
            using (var readable = JsonDocument.Parse(graphJson))
            {
                readable.RootElement.WriteTo(json);
            }
            json.WriteStartObject("statistics");
            json.WriteStartArray("edges");
            foreach (var edge in graph.Edges)
            {
                json.WriteBase64StringValue(edge.Statistics.Serialize());
            }
            json.WriteEndArray();
            json.WriteStartArray("nodes");
            foreach (var node in graph.Nodes)
            {
                json.WriteBase64StringValue(node.Statistics.Serialize());
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    public static string Write(Snapshot snapshot) => Encoding.UTF8.GetString(WriteUtf8(snapshot));

    /// <summary>Reads a snapshot file or a bare graph JSON; anything else is a <see cref="SnapshotFormatException"/> naming the JSON path.</summary>
    public static Snapshot Read(ReadOnlyMemory<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            var where = string.Create(CultureInfo.InvariantCulture, $"line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}");
            throw new SnapshotFormatException(e.Path ?? "$", $"malformed JSON at {where}: {FirstSentence(e.Message)}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SnapshotFormatException("$", $"expected an object, found {Kind(root)}");
            }
            return root.TryGetProperty("format", out _) ? ReadSnapshot(root) : ReadBareGraph(root);
        }
    }

    public static Snapshot Read(string json) => Read(Encoding.UTF8.GetBytes(json));

    private static Snapshot ReadSnapshot(JsonElement root)
    {
        var format = SnapshotReading.String(root, "format", "$");
        if (format != FormatName)
        {
            throw new SnapshotFormatException("$.format", $"expected \"{FormatName}\", found \"{format}\"");
        }
        var version = SnapshotReading.Long(root, "version", "$");
        if (version != FormatVersion)
        {
            throw new SnapshotFormatException("$.version", $"version {version} is not supported (this DepMap reads {FormatVersion})");
        }
        var label = SnapshotReading.OptionalString(root, "label", "$");
        var window = SnapshotReading.WindowSeconds(root, "$");
        if (!root.TryGetProperty("statistics", out var statistics) || statistics.ValueKind == JsonValueKind.Null)
        {
            // A hand-edited baseline drops the statistics and keeps the readable graph.
            var graph = SnapshotReading.Property(root, "graph", "$", JsonValueKind.Object);
            return Snapshot.OfFigures(GraphJsonFigures.Read(graph, "$.graph", window), label);
        }
        return Snapshot.Of(ReadStatistics(statistics), window, label);
    }

    private static Snapshot ReadBareGraph(JsonElement root)
    {
        if (!root.TryGetProperty("nodes", out _) || !root.TryGetProperty("edges", out _))
        {
            throw new SnapshotFormatException("$", "neither a DepMap snapshot (no \"format\") nor a graph JSON (no \"nodes\" and \"edges\")");
        }
        return Snapshot.OfFigures(GraphJsonFigures.Read(root, "$", SnapshotReading.WindowSeconds(root, "$")));
    }

    private static GraphStatistics ReadStatistics(JsonElement statistics)
    {
        const string path = "$.statistics";
        if (statistics.ValueKind != JsonValueKind.Object)
        {
            throw new SnapshotFormatException(path, $"expected an object, found {Kind(statistics)}");
        }
        var result = new GraphStatistics();
        var edges = SnapshotReading.Property(statistics, "edges", path, JsonValueKind.Array);
        var i = 0;
        foreach (var edge in edges.EnumerateArray())
        {
            var at = $"{path}.edges[{i++}]";
            result.Merge(Decode(edge, at, b => EdgeStatistics.Deserialize(b)));
        }
        var nodes = SnapshotReading.Property(statistics, "nodes", path, JsonValueKind.Array);
        i = 0;
        foreach (var node in nodes.EnumerateArray())
        {
            var at = $"{path}.nodes[{i++}]";
            result.Merge(Decode(node, at, b => NodeStatistics.Deserialize(b)));
        }
        return result;
    }

    private static T Decode<T>(JsonElement element, string path, Func<byte[], T> deserialize)
    {
        if (element.ValueKind != JsonValueKind.String || !element.TryGetBytesFromBase64(out var bytes))
        {
            throw new SnapshotFormatException(path, "expected a base64 string");
        }
        try
        {
            return deserialize(bytes);
        }
        catch (FormatException e)
        {
            throw new SnapshotFormatException(path, e.Message, e);
        }
    }

    internal static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    // System.Text.Json appends "Path: $ | LineNumber: … " to its message; the path and position are given separately.
    private static string FirstSentence(string message) =>
        message.Split([" Path:", " LineNumber:"], 2, StringSplitOptions.None)[0].TrimEnd();
}

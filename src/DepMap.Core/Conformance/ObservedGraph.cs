using DepMap.Core.Diff;
using DepMap.Core.Graph;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using DepMap.Core.Writers;

namespace DepMap.Core.Conformance;

/// <summary>
/// What the traces showed, as conformance compares it: nodes with their type and namespace, edges
/// with calls, errors and an exemplar trace (the latest failure, else the slowest call; none from a
/// snapshot, which keeps no exemplars), and the window they cover. <see cref="Window"/> is null
/// when its length is unknown (a bare graph JSON).
/// </summary>
public sealed class ObservedGraph
{
    public ObservedGraph(IEnumerable<ObservedNode> nodes, IEnumerable<ObservedEdge> edges, ObservedWindow window)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(edges);
        Nodes = [.. nodes.OrderBy(n => n.Name, StringComparer.Ordinal)];
        Edges = [.. edges.OrderBy(e => e.Key)];
        Window = window;
    }

    public IReadOnlyList<ObservedNode> Nodes { get; }
    public IReadOnlyList<ObservedEdge> Edges { get; }
    public ObservedWindow Window { get; }

    public static ObservedGraph From(ServiceGraph graph, ObservedWindow window)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return new ObservedGraph(
            graph.Nodes.Select(n => new ObservedNode(n.Name, n.Type, n.Namespace)),
            graph.Edges.Select(e => new ObservedEdge(
                e.Key, e.Statistics.CallCount, e.Statistics.ErrorCount,
                (e.Statistics.LatestFailure ?? e.Statistics.SlowestCall)?.TraceId.ToString())),
            window);
    }

    /// <summary>From a diff's figures (a bare graph JSON): no namespaces and no exemplars.</summary>
    public static ObservedGraph From(GraphFigures figures, ObservedWindow window)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return new ObservedGraph(
            figures.Nodes.Select(n => new ObservedNode(n.Name, n.Type, null)),
            figures.Edges.Select(e => new ObservedEdge(e.Key, e.CallCount, e.ErrorCount, null)),
            window);
    }
}

public sealed record ObservedNode(string Name, NodeType Type, string? Namespace)
{
    public string TypeWord => GraphText.NodeWord(Type);
}

public sealed record ObservedEdge(EdgeKey Key, long CallCount, long ErrorCount, string? ExemplarTraceId)
{
    public string ConnectionWord => GraphText.ConnectionWord(Key.ConnectionType);
}

/// <summary>The window the observed graph covers: its bounds when known (Unix ms), else only its length, else nothing; plus where it came from.</summary>
public sealed record ObservedWindow(string? Source, long? FromUnixMs, long? ToUnixMs, TimeSpan? Length)
{
    public static ObservedWindow Between(string? source, DateTimeOffset from, DateTimeOffset to) =>
        new(source, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), to - from);
}

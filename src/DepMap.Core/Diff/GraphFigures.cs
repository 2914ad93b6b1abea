using DepMap.Core.Graph;
using DepMap.Core.Statistics;

namespace DepMap.Core.Diff;

/// <summary>
/// The figures of one graph that a diff compares, with the length of the window it covers (null
/// when unknown, e.g. a bare graph JSON: then call rates cannot be compared). Nodes are in name
/// order and edges in key order, whatever order they were given in.
/// </summary>
public sealed class GraphFigures
{
    public GraphFigures(IEnumerable<NodeFigures> nodes, IEnumerable<EdgeFigures> edges, TimeSpan? window)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(edges);
        if (window is { } w && w <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), w, "A window must be longer than zero.");
        }
        Nodes = [.. nodes.OrderBy(n => n.Name, StringComparer.Ordinal)];
        Edges = [.. edges.OrderBy(e => e.Key)];
        Window = window;
    }

    public IReadOnlyList<NodeFigures> Nodes { get; }
    public IReadOnlyList<EdgeFigures> Edges { get; }
    public TimeSpan? Window { get; }

    public static GraphFigures From(ServiceGraph graph, TimeSpan? window)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return new GraphFigures(
            graph.Nodes.Select(n => new NodeFigures(n.Name, n.Type)),
            graph.Edges.Select(e => EdgeFigures.From(e.Statistics)),
            window);
    }

    public static GraphFigures From(GraphStatistics statistics, TimeSpan? window) => From(ServiceGraph.From(statistics), window);
}

using DepMap.Core.Diff;
using DepMap.Core.Graph;
using DepMap.Core.Statistics;

namespace DepMap.Core.Snapshots;

/// <summary>
/// The architecture at one point: the graph with all its statistics over a window of known
/// length, a label, and two hashes: <see cref="TopologyHash"/> (node names and edge keys only, so
/// equal topologies hash equal whatever the traffic) and <see cref="ContentHash"/> (every count and
/// sketch). Times and exemplars are dropped: they change with every window even when the traffic
/// does not, and a snapshot is meant to be compared and kept in a repository.
/// </summary>
public sealed class Snapshot
{
    private Snapshot(ServiceGraph? graph, GraphFigures figures, string? label, string? contentHash)
    {
        Graph = graph;
        Figures = figures;
        Label = label;
        TopologyHash = SnapshotHashes.Topology(figures);
        ContentHash = contentHash;
    }

    /// <summary>The graph with its statistics; null when read from a bare graph JSON, which carries quantiles but no sketches.</summary>
    public ServiceGraph? Graph { get; }

    public GraphFigures Figures { get; }
    public TimeSpan? Window => Figures.Window;
    public string? Label { get; }
    public string TopologyHash { get; }

    /// <summary>Null when there is no <see cref="Graph"/> to hash.</summary>
    public string? ContentHash { get; }

    public static Snapshot Of(GraphStatistics statistics, TimeSpan? window, string? label = null) =>
        Of(ServiceGraph.From(statistics), window, label);

    public static Snapshot Of(ServiceGraph graph, TimeSpan? window, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var kept = new GraphStatistics();
        foreach (var edge in graph.Edges)
        {
            kept.Merge(edge.Statistics.WithoutTimesAndExemplars());
        }
        foreach (var node in graph.Nodes)
        {
            kept.Merge(node.Statistics);
        }
        var stable = ServiceGraph.From(kept);
        return new Snapshot(stable, GraphFigures.From(stable, window), label, SnapshotHashes.Content(stable));
    }

    /// <summary>A snapshot known only by its figures (a bare graph JSON).</summary>
    public static Snapshot OfFigures(GraphFigures figures, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return new Snapshot(null, figures, label, null);
    }
}

using DepMap.Core.Graph;

namespace DepMap.Core.Diff;

/// <summary>
/// What changed from a base graph to a head graph: nodes (by name) and edges (by caller, callee,
/// connection type) added and removed, and for edges on both sides the change of call rate, error
/// rate and p95/p99. Every list is in ordinal order, so reports and files are deterministic.
/// </summary>
public sealed class GraphDiff
{
    private GraphDiff(GraphFigures @base, GraphFigures head, DiffOptions options)
    {
        Base = @base;
        Head = head;
        Options = options;
        var baseNodes = @base.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var headNodes = head.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        AddedNodes = [.. head.Nodes.Where(n => !baseNodes.Contains(n.Name))];
        RemovedNodes = [.. @base.Nodes.Where(n => !headNodes.Contains(n.Name))];
        var baseEdges = @base.Edges.ToDictionary(e => e.Key);
        var headEdges = head.Edges.ToDictionary(e => e.Key);
        AddedEdges = [.. head.Edges.Where(e => !baseEdges.ContainsKey(e.Key))];
        RemovedEdges = [.. @base.Edges.Where(e => !headEdges.ContainsKey(e.Key))];
        Changes = [.. head.Edges.Where(e => baseEdges.ContainsKey(e.Key)).Select(e => Change(baseEdges[e.Key], e))];
    }

    public GraphFigures Base { get; }
    public GraphFigures Head { get; }
    public DiffOptions Options { get; }
    public IReadOnlyList<NodeFigures> AddedNodes { get; }
    public IReadOnlyList<NodeFigures> RemovedNodes { get; }
    public IReadOnlyList<EdgeFigures> AddedEdges { get; }
    public IReadOnlyList<EdgeFigures> RemovedEdges { get; }

    /// <summary>Every edge present on both sides, changed or not.</summary>
    public IReadOnlyList<EdgeChange> Changes { get; }

    public IReadOnlyList<EdgeChange> Regressed => [.. Changes.Where(c => c.Regressed)];

    /// <summary>The topology differs (a node or edge added or removed).</summary>
    public bool TopologyChanged => AddedNodes.Count + RemovedNodes.Count + AddedEdges.Count + RemovedEdges.Count > 0;

    public static GraphDiff Compare(GraphFigures @base, GraphFigures head, DiffOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(@base);
        ArgumentNullException.ThrowIfNull(head);
        return new GraphDiff(@base, head, options ?? DiffOptions.Default);
    }

    public static GraphDiff Compare(ServiceGraph @base, TimeSpan? baseWindow, ServiceGraph head, TimeSpan? headWindow, DiffOptions? options = null) =>
        Compare(GraphFigures.From(@base, baseWindow), GraphFigures.From(head, headWindow), options);

    private EdgeChange Change(EdgeFigures before, EdgeFigures after)
    {
        var side = before.ServerLatency is not null && after.ServerLatency is not null ? LatencySide.Server
            : before.ClientLatency is not null && after.ClientLatency is not null ? LatencySide.Client
            : (LatencySide?)null;
        var (from, to) = side == LatencySide.Server ? (before.ServerLatency, after.ServerLatency) : (before.ClientLatency, after.ClientLatency);
        var p95 = side is { } s95 ? new LatencyChange(s95, from!.P95Ms, to!.P95Ms) : null;
        var p99 = side is { } s99 ? new LatencyChange(s99, from!.P99Ms, to!.P99Ms) : null;
        var change = new EdgeChange(before, after, PerMinute(before, Base.Window), PerMinute(after, Head.Window), p95, p99, RegressionReasons.None);
        var reasons = RegressionReasons.None;
        if (change.ErrorRatePoints >= Options.ErrorRateRisePoints)
        {
            reasons |= RegressionReasons.ErrorRate;
        }
        if (p99?.Ratio is { } ratio && ratio >= Options.P99RiseRatio)
        {
            reasons |= RegressionReasons.P99;
        }
        return change with { Reasons = reasons };
    }

    private static double? PerMinute(EdgeFigures edge, TimeSpan? window) =>
        window is { } w ? Math.Round(edge.CallCount / w.TotalMinutes, 6) : null;
}

using DepMap.Core.Statistics;
using QuikGraph;

namespace DepMap.Core.Graph;

/// <summary>A directed edge of a <see cref="ServiceGraph"/>, caller to callee, with its statistics.</summary>
public sealed class GraphEdge : IEdge<GraphNode>
{
    internal GraphEdge(GraphNode source, GraphNode target, EdgeStatistics statistics)
    {
        Source = source;
        Target = target;
        Statistics = statistics;
    }

    public GraphNode Source { get; }
    public GraphNode Target { get; }
    public EdgeStatistics Statistics { get; }
    public EdgeKey Key => Statistics.Key;

    /// <summary>Both ends lie in the same cycle of this graph.</summary>
    public bool InCycle { get; internal set; }

    public override string ToString() => $"{Source} -> {Target}";
}

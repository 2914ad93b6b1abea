using DepMap.Core.Linking;
using DepMap.Core.Statistics;

namespace DepMap.Core.Graph;

/// <summary>A node of a <see cref="ServiceGraph"/>: a service, database, broker, external peer or the user entry node.</summary>
public sealed class GraphNode
{
    internal GraphNode(NodeStatistics statistics) => Statistics = statistics;

    public string Name => Statistics.Name;
    public NodeType Type => Statistics.Type;
    public string? Namespace => Statistics.Namespace;
    public NodeStatistics Statistics { get; }

    /// <summary>Part of a cycle of this graph (a strongly connected component of two or more nodes, or a loopback call).</summary>
    public bool InCycle { get; internal set; }

    /// <summary>The health band, when a ranking has assessed it; writers colour the node by it.</summary>
    public NodeHealth? Health { get; set; }

    public override string ToString() => Name;
}

using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using QuikGraph;
using QuikGraph.Algorithms;

namespace DepMap.Core.Graph;

/// <summary>
/// The service dependency graph on QuikGraph: typed nodes and edges carrying their statistics, with
/// cycles flagged. Nodes and edges are listed in ordinal order (name; caller, callee, connection
/// type) so everything drawn from it is deterministic. Views (<see cref="Focus"/>,
/// <see cref="HideEdgesUnder"/>) are new graphs whose cycles are those of the view.
/// </summary>
public sealed class ServiceGraph
{
    private readonly BidirectionalGraph<GraphNode, GraphEdge> _graph = new(allowParallelEdges: true);
    private readonly Dictionary<string, GraphNode> _byName = new(StringComparer.Ordinal);

    private ServiceGraph(IEnumerable<NodeStatistics> nodes, IEnumerable<EdgeStatistics> edges, Func<string, NodeHealth?> health)
    {
        foreach (var statistics in nodes.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            AddNode(new GraphNode(statistics) { Health = health(statistics.Name) });
        }
        foreach (var statistics in edges.OrderBy(e => e.Key))
        {
            _graph.AddEdge(new GraphEdge(NodeOrPlaceholder(statistics.Key.Caller), NodeOrPlaceholder(statistics.Key.Callee), statistics));
        }
        Nodes = [.. _graph.Vertices.OrderBy(n => n.Name, StringComparer.Ordinal)];
        Edges = [.. _graph.Edges.OrderBy(e => e.Key)];
        Cycles = FlagCycles();
    }

    /// <summary>Nodes by name (ordinal).</summary>
    public IReadOnlyList<GraphNode> Nodes { get; }

    /// <summary>Edges by caller, callee, connection type (ordinal).</summary>
    public IReadOnlyList<GraphEdge> Edges { get; }

    /// <summary>Each cycle's nodes by name; cycles ordered by their first node.</summary>
    public IReadOnlyList<IReadOnlyList<GraphNode>> Cycles { get; }

    /// <summary>The QuikGraph graph itself, for algorithms beyond these (reach, blast radius).</summary>
    public IBidirectionalGraph<GraphNode, GraphEdge> Graph => _graph;

    public static ServiceGraph From(GraphStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        return new ServiceGraph(statistics.Nodes.Values, statistics.Edges.Values, _ => null);
    }

    public GraphNode? FindNode(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// The services within <paramref name="depth"/> calls of <paramref name="service"/>, walking
    /// callers (upstream), callees (downstream) or each of the two separately (both: a sibling
    /// reached up then down is not included), with every edge among them. Unknown service: empty graph.
    /// </summary>
    public ServiceGraph Focus(string service, int depth, FocusDirection direction = FocusDirection.Both)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        if (FindNode(service) is not { } start)
        {
            return View([], []);
        }
        var kept = new HashSet<GraphNode> { start };
        if (direction != FocusDirection.Downstream)
        {
            Walk(start, depth, n => _graph.InEdges(n).Select(e => e.Source), kept);
        }
        if (direction != FocusDirection.Upstream)
        {
            Walk(start, depth, n => _graph.OutEdges(n).Select(e => e.Target), kept);
        }
        return View(kept, Edges.Where(e => kept.Contains(e.Source) && kept.Contains(e.Target)));
    }

    /// <summary>Drops edges with fewer than <paramref name="minCalls"/> calls, and the nodes left with no edge because of it.</summary>
    public ServiceGraph HideEdgesUnder(long minCalls)
    {
        var edges = Edges.Where(e => e.Statistics.CallCount >= minCalls).ToList();
        var touched = edges.SelectMany(e => new[] { e.Source, e.Target }).ToHashSet();
        return View(Nodes.Where(n => touched.Contains(n) || _graph.IsInEdgesEmpty(n) && _graph.IsOutEdgesEmpty(n)), edges);
    }

    /// <summary>
    /// Collapses every <c>service.namespace</c> into one node named after it (services without a
    /// namespace stay as they are): its statistics are its members' summed, its health the worst of
    /// theirs. Calls between members of one namespace are inside the node and drawn as no edge;
    /// calls across are summed per (caller, callee, connection type).
    /// </summary>
    public ServiceGraph GroupByNamespace()
    {
        static string GroupOf(GraphNode node) => node.Namespace ?? node.Name;
        var byName = Nodes.ToDictionary(n => n.Name, GroupOf, StringComparer.Ordinal);
        var nodes = new Dictionary<string, NodeStatistics>(StringComparer.Ordinal);
        var health = new Dictionary<string, NodeHealth?>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            var group = GroupOf(node);
            if (!nodes.TryGetValue(group, out var merged))
            {
                merged = node.Namespace is null ? new NodeStatistics(group, node.Type) : new NodeStatistics(group, NodeType.Service, node.Namespace);
                nodes.Add(group, merged);
            }
            merged.Merge(node.Statistics);
            health[group] = Worst(health.GetValueOrDefault(group), node.Health);
        }
        var edges = new Dictionary<EdgeKey, EdgeStatistics>();
        foreach (var edge in Edges)
        {
            var key = new EdgeKey(byName[edge.Source.Name], byName[edge.Target.Name], edge.Key.ConnectionType);
            if (key.Caller == key.Callee && edge.Source.Namespace is not null)
            {
                continue;
            }
            if (!edges.TryGetValue(key, out var merged))
            {
                edges.Add(key, merged = new EdgeStatistics(key));
            }
            merged.Merge(edge.Statistics);
        }
        return new ServiceGraph(nodes.Values, edges.Values, name => health.GetValueOrDefault(name));
    }

    private static NodeHealth? Worst(NodeHealth? a, NodeHealth? b) => a is null ? b : b is null ? a : (NodeHealth)Math.Max((byte)a, (byte)b);

    /// <summary>
    /// Keeps the <paramref name="maxEdges"/> edges with the most calls (ties by caller, callee, type)
    /// and the nodes they touch: a last-resort picture when the whole graph is too dense to lay out.
    /// </summary>
    public ServiceGraph KeepBusiestEdges(int maxEdges)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxEdges);
        var edges = Edges.OrderByDescending(e => e.Statistics.CallCount).ThenBy(e => e.Key).Take(maxEdges).ToList();
        var touched = edges.SelectMany(e => new[] { e.Source, e.Target }).ToHashSet();
        return View(Nodes.Where(touched.Contains), edges);
    }

    private ServiceGraph View(IEnumerable<GraphNode> nodes, IEnumerable<GraphEdge> edges) =>
        new(nodes.Select(n => n.Statistics), edges.Select(e => e.Statistics), name => FindNode(name)?.Health);

    private static void Walk(GraphNode start, int depth, Func<GraphNode, IEnumerable<GraphNode>> next, HashSet<GraphNode> kept)
    {
        var frontier = new List<GraphNode> { start };
        var seen = new HashSet<GraphNode> { start };
        for (var level = 0; level < depth && frontier.Count > 0; level++)
        {
            frontier = [.. frontier.SelectMany(next).Where(seen.Add)];
            kept.UnionWith(frontier);
        }
    }

    private void AddNode(GraphNode node)
    {
        _byName.Add(node.Name, node);
        _graph.AddVertex(node);
    }

    // Statistics merged from edge rows alone may lack a node row: draw the node with empty statistics.
    private GraphNode NodeOrPlaceholder(string name)
    {
        if (!_byName.TryGetValue(name, out var node))
        {
            node = new GraphNode(new NodeStatistics(name));
            AddNode(node);
        }
        return node;
    }

    private List<IReadOnlyList<GraphNode>> FlagCycles()
    {
        var components = new Dictionary<GraphNode, int>();
        _graph.StronglyConnectedComponents(components);
        var sizes = components.Values.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        foreach (var edge in _graph.Edges)
        {
            var sameComponent = components[edge.Source] == components[edge.Target];
            if (sameComponent && (sizes[components[edge.Source]] > 1 || edge.Source == edge.Target))
            {
                edge.InCycle = true;
                edge.Source.InCycle = true;
                edge.Target.InCycle = true;
            }
        }
        return [.. Nodes.Where(n => n.InCycle)
            .GroupBy(n => components[n])
            .Select(g => (IReadOnlyList<GraphNode>)[.. g.OrderBy(n => n.Name, StringComparer.Ordinal)])
            .OrderBy(c => c[0].Name, StringComparer.Ordinal)];
    }
}

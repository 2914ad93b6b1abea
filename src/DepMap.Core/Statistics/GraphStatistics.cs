using System.Runtime.InteropServices;
using DepMap.Core.Linking;

namespace DepMap.Core.Statistics;

/// <summary>
/// The statistics of a set of traces: one <see cref="EdgeStatistics"/> per edge and one
/// <see cref="NodeStatistics"/> per node. Adding a trace and subtracting it again gives back exactly
/// the previous counts and sketches, which is how the server corrects a trace re-linked after late
/// spans. Edges and nodes whose counts return to zero disappear.
/// </summary>
public sealed class GraphStatistics
{
    private readonly Dictionary<EdgeKey, EdgeStatistics> _edges = [];
    private readonly Dictionary<string, NodeStatistics> _nodes = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<EdgeKey, EdgeStatistics> Edges => _edges;
    public IReadOnlyDictionary<string, NodeStatistics> Nodes => _nodes;
    public bool IsEmpty => _edges.Count == 0 && _nodes.Count == 0;

    public static GraphStatistics From(LinkedTrace trace)
    {
        var statistics = new GraphStatistics();
        statistics.Add(trace);
        return statistics;
    }

    public void Add(LinkedTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        foreach (var call in trace.CallItems)
        {
            var key = new EdgeKey(call.Caller, call.Callee, call.ConnectionType);
            if (!_edges.TryGetValue(key, out var edge))
            {
                edge = new EdgeStatistics(key);
                _edges.Add(key, edge);
            }
            edge.Add(call);
            Node(call.Caller, call.CallerType, call.CallerNamespace).AddMade();
            Node(call.Callee, call.CalleeType, call.CalleeNamespace).AddServed(call);
        }
        foreach (var unnamed in trace.UnnamedCallItems)
        {
            // The linker only reports unnamed calls from a span's own service, so the caller reports spans.
            Node(unnamed.Caller, NodeType.Service, null).AddUnnamed(unnamed);
        }
    }

    /// <summary>Makes room for as many edges and nodes as <paramref name="like"/> holds, so adding them grows no table.</summary>
    internal void ReserveLike(GraphStatistics like)
    {
        _edges.EnsureCapacity(like._edges.Count);
        _nodes.EnsureCapacity(like._nodes.Count);
    }

    /// <summary>Takes a trace added earlier back out; throws, changing nothing, if it was not added.</summary>
    public void Subtract(LinkedTrace trace) => Subtract(From(trace));

    /// <summary>Adds every edge and node of <paramref name="other"/> (minute buckets into an hour, buckets into a window).</summary>
    public void Merge(GraphStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var edge in other._edges.Values)
        {
            Merge(edge);
        }
        foreach (var node in other._nodes.Values)
        {
            Merge(node);
        }
    }

    /// <summary>
    /// Adds each of <paramref name="parts"/> in order, with the result <see cref="Merge(GraphStatistics)"/>
    /// of their sum would give, and returns true; or changes nothing and returns false when that
    /// cannot be promised. Counts, sketches, times, exemplars and names add the same in any grouping;
    /// only an edge's operations may not: past <see cref="EdgeStatistics.MaxOperations"/> names the
    /// least busy fold into "other", and which ones depends on the grouping. So the names of every
    /// edge's operations here and in all the parts must fit together, and then none folds either way.
    /// </summary>
    public bool TryMergeEach(IReadOnlyList<GraphStatistics> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        // The sum of the named counts bounds the names an edge can hold in any grouping; only an edge
        // over the bound has its names counted one by one.
        var named = new Dictionary<EdgeKey, int>();
        foreach (var part in parts)
        {
            foreach (var edge in part._edges.Values)
            {
                ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(named, edge.Key, out var seen);
                if (!seen)
                {
                    count = _edges.TryGetValue(edge.Key, out var mine) ? mine.NamedOperationCount : 0;
                }
                count += edge.NamedOperationCount;
            }
        }
        foreach (var (key, count) in named)
        {
            if (count > EdgeStatistics.MaxOperations && DistinctOperations(key, parts) > EdgeStatistics.MaxOperations)
            {
                return false;
            }
        }
        foreach (var part in parts)
        {
            Merge(part);
        }
        return true;
    }

    private int DistinctOperations(EdgeKey key, IReadOnlyList<GraphStatistics> parts)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (_edges.TryGetValue(key, out var mine))
        {
            names.UnionWith(mine.NamedOperations);
        }
        foreach (var part in parts)
        {
            if (part._edges.TryGetValue(key, out var edge))
            {
                names.UnionWith(edge.NamedOperations);
            }
        }
        return names.Count;
    }

    /// <summary>Adds one stored edge (the server reads them per bucket).</summary>
    public void Merge(EdgeStatistics edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        if (_edges.TryGetValue(edge.Key, out var mine))
        {
            mine.Merge(edge);
        }
        else if (!edge.IsEmpty)
        {
            _edges.Add(edge.Key, edge.Clone());
        }
    }

    /// <summary>Adds one stored node (the server reads them per bucket).</summary>
    public void Merge(NodeStatistics node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (_nodes.TryGetValue(node.Name, out var mine))
        {
            mine.Merge(node);
        }
        else if (!node.IsEmpty)
        {
            _nodes.Add(node.Name, node.Clone());
        }
    }

    /// <summary>
    /// Takes <paramref name="other"/> back out. Every count and sketch bucket of it must be here:
    /// otherwise an <see cref="InvalidOperationException"/> names the first edge or node short of it
    /// and nothing changes.
    /// </summary>
    public void Subtract(GraphStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            _edges.Clear();
            _nodes.Clear();
            return;
        }
        foreach (var edge in other._edges.Values)
        {
            if (!edge.IsEmpty && !(_edges.TryGetValue(edge.Key, out var mine) && mine.Contains(edge)))
            {
                throw new InvalidOperationException(
                    $"Cannot subtract edge {edge.Key.Caller} -> {edge.Key.Callee} ({edge.Key.ConnectionType}): it holds calls that were not added.");
            }
        }
        foreach (var node in other._nodes.Values)
        {
            if (!node.IsEmpty && !(_nodes.TryGetValue(node.Name, out var mine) && mine.Contains(node)))
            {
                throw new InvalidOperationException($"Cannot subtract node {node.Name}: it holds calls that were not added.");
            }
        }
        foreach (var edge in other._edges.Values)
        {
            if (_edges.TryGetValue(edge.Key, out var mine))
            {
                mine.Subtract(edge);
                if (mine.IsEmpty)
                {
                    _edges.Remove(edge.Key);
                }
            }
        }
        foreach (var node in other._nodes.Values)
        {
            if (_nodes.TryGetValue(node.Name, out var mine))
            {
                mine.Subtract(node);
                if (mine.IsEmpty)
                {
                    _nodes.Remove(node.Name);
                }
            }
        }
    }

    /// <summary>
    /// The same statistics with the entry node (the caller of root server spans, which the linker
    /// names <paramref name="linkedAs"/>) renamed to <paramref name="entryNodeName"/>, or left out with
    /// its edges when that is null. The server links with the default name and applies the configured
    /// one when it reads, so changing the setting never leaves stored statistics that a re-link of a
    /// late trace could not subtract.
    /// </summary>
    public GraphStatistics WithEntryNode(string? entryNodeName, string linkedAs = "user")
    {
        if (entryNodeName == linkedAs)
        {
            return this;
        }
        bool IsEntry(string name) =>
            name == linkedAs && _nodes.TryGetValue(name, out var node) && node.Type == NodeType.User;
        var result = new GraphStatistics();
        foreach (var edge in _edges.Values)
        {
            if (!IsEntry(edge.Key.Caller))
            {
                result.Merge(edge);
            }
            else if (entryNodeName is not null)
            {
                var renamed = new EdgeStatistics(edge.Key with { Caller = entryNodeName });
                renamed.Merge(edge);
                result.Merge(renamed);
            }
        }
        foreach (var node in _nodes.Values)
        {
            if (!IsEntry(node.Name))
            {
                result.Merge(node);
            }
            else if (entryNodeName is not null)
            {
                var renamed = new NodeStatistics(entryNodeName, NodeType.User, node.Namespace);
                renamed.Merge(node);
                result.Merge(renamed);
            }
        }
        return result;
    }

    private NodeStatistics Node(string name, NodeType type, string? @namespace)
    {
        if (!_nodes.TryGetValue(name, out var node))
        {
            node = new NodeStatistics(name, type, @namespace);
            _nodes.Add(name, node);
        }
        else
        {
            node.Describe(type, @namespace);
        }
        return node;
    }
}

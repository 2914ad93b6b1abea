using System.Collections;
using QuikGraph;
using QuikGraph.Algorithms;

namespace DepMap.Core.Reliability;

/// <summary>
/// How far a failure of each node can reach on a dependency graph: its blast radius is every node
/// that depends on it transitively (reverse reachability), itself excluded. The graph is condensed
/// into strongly connected components first, so a cycle neither loops nor counts a node twice:
/// everyone in a cycle depends on everyone else in it.
/// </summary>
public sealed class ServiceReach
{
    private readonly Dictionary<string, IReadOnlyList<string>> _blastRadius;
    private readonly HashSet<string> _inCycle;

    private ServiceReach(Dictionary<string, IReadOnlyList<string>> blastRadius, HashSet<string> inCycle)
    {
        _blastRadius = blastRadius;
        _inCycle = inCycle;
    }

    /// <summary>Every node named by an edge.</summary>
    public IReadOnlyCollection<string> Nodes => _blastRadius.Keys;

    /// <summary>The nodes that depend on <paramref name="node"/>, in ordinal order; empty for an unknown node.</summary>
    public IReadOnlyList<string> BlastRadius(string node) => _blastRadius.GetValueOrDefault(node) ?? [];

    /// <summary>True when the node lies on a call cycle (a loopback call included).</summary>
    public bool InCycle(string node) => _inCycle.Contains(node);

    public static ServiceReach Compute(IEnumerable<(string Caller, string Callee)> edges)
    {
        var graph = new AdjacencyGraph<string, SEquatableEdge<string>>(allowParallelEdges: false);
        var inCycle = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (caller, callee) in edges)
        {
            graph.AddVertex(caller);
            graph.AddVertex(callee);
            if (caller == callee)
            {
                inCycle.Add(caller);
            }
            else
            {
                graph.AddEdge(new SEquatableEdge<string>(caller, callee));
            }
        }

        var component = new Dictionary<string, int>(StringComparer.Ordinal);
        var count = graph.StronglyConnectedComponents(component);
        var members = new List<string>[count];
        for (var c = 0; c < count; c++)
        {
            members[c] = [];
        }
        foreach (var vertex in graph.Vertices)
        {
            members[component[vertex]].Add(vertex);
        }
        foreach (var group in members.Where(group => group.Count > 1))
        {
            inCycle.UnionWith(group);
        }

        var dependents = DependentComponents(graph, component, count);
        var blastRadius = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var vertex in graph.Vertices)
        {
            var own = component[vertex];
            var radius = members[own].Where(other => other != vertex).ToList();
            for (var c = 0; c < count; c++)
            {
                if (dependents[own][c])
                {
                    radius.AddRange(members[c]);
                }
            }
            radius.Sort(StringComparer.Ordinal);
            blastRadius[vertex] = radius;
        }
        return new ServiceReach(blastRadius, inCycle);
    }

    /// <summary>
    /// For each component, the components that reach it, found in topological order of the
    /// condensed graph (callers before callees), so each set is the union of its callers' sets.
    /// </summary>
    private static BitArray[] DependentComponents(
        AdjacencyGraph<string, SEquatableEdge<string>> graph, Dictionary<string, int> component, int count)
    {
        var callers = new HashSet<int>[count];
        var callees = new HashSet<int>[count];
        for (var c = 0; c < count; c++)
        {
            callers[c] = [];
            callees[c] = [];
        }
        foreach (var edge in graph.Edges)
        {
            var (from, to) = (component[edge.Source], component[edge.Target]);
            if (from != to && callees[from].Add(to))
            {
                callers[to].Add(from);
            }
        }

        var dependents = new BitArray[count];
        var waiting = callers.Select(set => set.Count).ToArray();
        var ready = new Queue<int>(Enumerable.Range(0, count).Where(c => waiting[c] == 0));
        while (ready.TryDequeue(out var c))
        {
            dependents[c] = new BitArray(count);
            foreach (var caller in callers[c])
            {
                dependents[c].Or(dependents[caller]);
                dependents[c][caller] = true;
            }
            foreach (var callee in callees[c])
            {
                if (--waiting[callee] == 0)
                {
                    ready.Enqueue(callee);
                }
            }
        }
        return dependents;
    }
}

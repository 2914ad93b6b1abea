using DepMap.Core.Spans;

namespace DepMap.Core.Reliability;

/// <summary>One span in the tree of its trace.</summary>
internal sealed class SpanTreeNode(Span span, int index)
{
    public Span Span { get; } = span;
    /// <summary>Position in <see cref="SpanTree.Nodes"/>.</summary>
    public int Index { get; } = index;
    public SpanTreeNode? Parent { get; set; }
    public List<SpanTreeNode> Children { get; } = [];

    /// <summary>A request boundary: work one service does for a caller or a message.</summary>
    public bool IsServerSide => Span.Kind is SpanKind.Server or SpanKind.Consumer;
}

/// <summary>
/// The span tree of one trace, built by parent id. It survives bad data: a span reported twice
/// (same span id, kind and service) counts once, a span whose parent is missing is a root, and a
/// parent chain that loops is cut so every span is reached exactly once from a root.
/// </summary>
internal sealed class SpanTree
{
    private SpanTree(List<SpanTreeNode> nodes, List<SpanTreeNode> roots)
    {
        Nodes = nodes;
        Roots = roots;
    }

    /// <summary>Every distinct span, in input order.</summary>
    public IReadOnlyList<SpanTreeNode> Nodes { get; }

    /// <summary>Spans without a reported parent, earliest first.</summary>
    public IReadOnlyList<SpanTreeNode> Roots { get; }

    public static SpanTree Build(IReadOnlyList<Span> spans)
    {
        var seen = new HashSet<(ulong, SpanKind, string?)>();
        var nodes = new List<SpanTreeNode>(spans.Count);
        var byId = new Dictionary<ulong, List<SpanTreeNode>>(spans.Count);
        foreach (var span in spans)
        {
            if (!seen.Add((span.SpanId, span.Kind, span.LocalService)))
            {
                continue;
            }
            var node = new SpanTreeNode(span, nodes.Count);
            nodes.Add(node);
            if (!byId.TryGetValue(span.SpanId, out var sameId))
            {
                byId[span.SpanId] = sameId = [];
            }
            sameId.Add(node);
        }

        foreach (var node in nodes)
        {
            node.Parent = FindParent(node, byId);
        }
        CutCycles(nodes);

        var roots = new List<SpanTreeNode>();
        foreach (var node in nodes)
        {
            if (node.Parent is null)
            {
                roots.Add(node);
            }
            else
            {
                node.Parent.Children.Add(node);
            }
        }
        roots.Sort(ByStart);
        foreach (var node in nodes)
        {
            node.Children.Sort(ByStart);
        }
        return new SpanTree(nodes, roots);
    }

    private static SpanTreeNode? FindParent(SpanTreeNode node, Dictionary<ulong, List<SpanTreeNode>> byId)
    {
        var span = node.Span;
        // Zipkin's shared span id: the server half of an RPC reuses its client's id, so it is the
        // client's child, not its own parent's.
        if (node.IsServerSide || span.Shared)
        {
            foreach (var other in byId[span.SpanId])
            {
                if (other != node && !other.IsServerSide && !other.Span.Shared)
                {
                    return other;
                }
            }
        }
        if (span.ParentId == 0 || span.ParentId == span.SpanId || !byId.TryGetValue(span.ParentId, out var candidates))
        {
            return null;
        }
        if (candidates.Count == 1)
        {
            return candidates[0];
        }
        // A parent id shared by a client and its server: the child belongs to the side reported by
        // its own service, else to the server side, which is the one doing the work.
        SpanTreeNode? sameService = null;
        SpanTreeNode? serverSide = null;
        foreach (var candidate in candidates)
        {
            var isServer = candidate.IsServerSide || candidate.Span.Shared;
            if (candidate.Span.LocalService == span.LocalService && (sameService is null || isServer))
            {
                sameService = candidate;
            }
            if (isServer)
            {
                serverSide ??= candidate;
            }
        }
        return sameService ?? serverSide ?? candidates[0];
    }

    private static void CutCycles(List<SpanTreeNode> nodes)
    {
        // 1: on the chain being walked, 2: known to reach a root.
        var state = new byte[nodes.Count];
        var chain = new List<SpanTreeNode>();
        foreach (var start in nodes)
        {
            chain.Clear();
            var current = start;
            while (current is not null && state[current.Index] == 0)
            {
                state[current.Index] = 1;
                chain.Add(current);
                var parent = current.Parent;
                if (parent is not null && state[parent.Index] == 1)
                {
                    // The chain came back to itself: the span that closes the loop becomes a root.
                    current.Parent = null;
                    break;
                }
                current = parent;
            }
            foreach (var node in chain)
            {
                state[node.Index] = 2;
            }
        }
    }

    private static int ByStart(SpanTreeNode a, SpanTreeNode b)
    {
        var byStart = a.Span.StartUnixNano.CompareTo(b.Span.StartUnixNano);
        return byStart != 0 ? byStart : a.Span.SpanId.CompareTo(b.Span.SpanId);
    }
}

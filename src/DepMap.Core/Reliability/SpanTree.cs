using DepMap.Core.Spans;

namespace DepMap.Core.Reliability;

/// <summary>
/// The span tree of one trace, built by parent id. It survives bad data: a span reported twice
/// (same span id, kind and service) counts once, a span whose parent is missing is a root, and a
/// parent chain that loops is cut so every span is reached exactly once from a root. Nodes are
/// indices into <see cref="Spans"/>, in input order; the arrays are reused from trace to trace on
/// one thread, so building a tree allocates nothing once they have grown.
/// </summary>
internal sealed class SpanTree
{
    public const int None = -1;

    private readonly Dictionary<ulong, int> _firstById = [];
    private readonly Comparison<int> _byStart;
    private int[] _nextSameId = new int[32];
    private int[] _childStart = new int[33];
    private int[] _children = new int[32];
    private int[] _roots = new int[32];
    private int _rootCount;
    private byte[] _state = new byte[32];
    private int[] _chain = new int[32];

    public SpanTree() => _byStart = ByStart;

    /// <summary>Every distinct span, in input order; only the first <see cref="Count"/> are this trace's.</summary>
    public Span[] Spans { get; private set; } = new Span[32];

    public int Count { get; private set; }

    /// <summary>Each node's parent, or <see cref="None"/> for a root.</summary>
    public int[] Parent { get; private set; } = new int[32];

    /// <summary>Spans without a reported parent, earliest first.</summary>
    public ReadOnlySpan<int> Roots => _roots.AsSpan(0, _rootCount);

    /// <summary>A node's children in input order: no rule of the analysis depends on their order.</summary>
    public ReadOnlySpan<int> Children(int node) => _children.AsSpan(_childStart[node], _childStart[node + 1] - _childStart[node]);

    /// <summary>A request boundary: work one service does for a caller or a message.</summary>
    public bool IsServerSide(int node) => Spans[node].Kind is SpanKind.Server or SpanKind.Consumer;

    public void Build(IReadOnlyList<Span> spans)
    {
        Grow(spans.Count);
        _firstById.Clear();
        Count = 0;
        for (var i = 0; i < spans.Count; i++)
        {
            Index(spans[i]);
        }
        for (var node = 0; node < Count; node++)
        {
            Parent[node] = FindParent(node);
        }
        CutCycles();
        Attach();
    }

    /// <summary>Drops the span references so a reused tree does not keep a trace alive.</summary>
    public void Release() => Array.Clear(Spans, 0, Count);

    private void Grow(int count)
    {
        if (Spans.Length >= count)
        {
            return;
        }
        var size = Math.Max(count, Spans.Length * 2);
        Spans = new Span[size];
        Parent = new int[size];
        _nextSameId = new int[size];
        _childStart = new int[size + 1];
        _children = new int[size];
        _roots = new int[size];
        _state = new byte[size];
        _chain = new int[size];
    }

    private void Index(Span span)
    {
        var last = None;
        if (_firstById.TryGetValue(span.SpanId, out var first))
        {
            for (var other = first; other != None; other = _nextSameId[other])
            {
                if (Spans[other].Kind == span.Kind && string.Equals(Spans[other].LocalService, span.LocalService, StringComparison.Ordinal))
                {
                    return;
                }
                last = other;
            }
        }
        var node = Count++;
        Spans[node] = span;
        _nextSameId[node] = None;
        if (last == None)
        {
            _firstById.Add(span.SpanId, node);
        }
        else
        {
            _nextSameId[last] = node;
        }
    }

    private int FindParent(int node)
    {
        var span = Spans[node];
        // Zipkin's shared span id: the server half of an RPC reuses its client's id, so it is the
        // client's child, not its own parent's.
        if (IsServerSide(node) || span.Shared)
        {
            for (var other = _firstById[span.SpanId]; other != None; other = _nextSameId[other])
            {
                if (other != node && !IsServerSide(other) && !Spans[other].Shared)
                {
                    return other;
                }
            }
        }
        if (span.ParentId == 0 || span.ParentId == span.SpanId || !_firstById.TryGetValue(span.ParentId, out var first))
        {
            return None;
        }
        if (_nextSameId[first] == None)
        {
            return first;
        }
        // A parent id shared by a client and its server: the child belongs to the side reported by
        // its own service, else to the server side, which is the one doing the work.
        var sameService = None;
        var serverSide = None;
        for (var candidate = first; candidate != None; candidate = _nextSameId[candidate])
        {
            var isServer = IsServerSide(candidate) || Spans[candidate].Shared;
            if (string.Equals(Spans[candidate].LocalService, span.LocalService, StringComparison.Ordinal) && (sameService == None || isServer))
            {
                sameService = candidate;
            }
            if (isServer && serverSide == None)
            {
                serverSide = candidate;
            }
        }
        return sameService != None ? sameService : serverSide != None ? serverSide : first;
    }

    private void CutCycles()
    {
        // 1: on the chain being walked, 2: known to reach a root.
        Array.Clear(_state, 0, Count);
        for (var start = 0; start < Count; start++)
        {
            var length = 0;
            var current = start;
            while (current != None && _state[current] == 0)
            {
                _state[current] = 1;
                _chain[length++] = current;
                var parent = Parent[current];
                if (parent != None && _state[parent] == 1)
                {
                    // The chain came back to itself: the span that closes the loop becomes a root.
                    Parent[current] = None;
                    break;
                }
                current = parent;
            }
            for (var i = 0; i < length; i++)
            {
                _state[_chain[i]] = 2;
            }
        }
    }

    /// <summary>Children as one array sliced per parent (counted, then placed in input order), and the sorted roots.</summary>
    private void Attach()
    {
        Array.Clear(_childStart, 0, Count + 1);
        _rootCount = 0;
        for (var node = 0; node < Count; node++)
        {
            if (Parent[node] == None)
            {
                _roots[_rootCount++] = node;
            }
            else
            {
                _childStart[Parent[node] + 1]++;
            }
        }
        for (var node = 0; node < Count; node++)
        {
            _childStart[node + 1] += _childStart[node];
        }
        // _chain is free again: it holds each parent's next free child slot.
        Array.Copy(_childStart, _chain, Count);
        for (var node = 0; node < Count; node++)
        {
            if (Parent[node] is var parent && parent != None)
            {
                _children[_chain[parent]++] = node;
            }
        }
        // The same sort List<T>.Sort runs, on the same input order, so ties fall as they always did.
        _roots.AsSpan(0, _rootCount).Sort(_byStart);
    }

    private int ByStart(int a, int b)
    {
        var byStart = Spans[a].StartUnixNano.CompareTo(Spans[b].StartUnixNano);
        return byStart != 0 ? byStart : Spans[a].SpanId.CompareTo(Spans[b].SpanId);
    }
}

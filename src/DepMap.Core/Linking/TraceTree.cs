using DepMap.Core.Spans;

namespace DepMap.Core.Linking;

/// <summary>
/// One trace as Zipkin's <c>SpanNode.Builder</c> arranges it: duplicates merged, a shared server
/// span placed under its client, spans whose parent is missing placed under the root, and a
/// synthetic root (no span) when the real root was never reported. Arrays are reused between
/// traces on one thread, so building a tree allocates next to nothing.
/// </summary>
internal sealed class TraceTree
{
    public const int NoNode = -1;

    private readonly Dictionary<NodeKey, int> _keyToNode = [];
    private readonly Dictionary<NodeKey, int> _parentEntryByKey = [];
    private ParentEntry[] _parentEntries = new ParentEntry[32];
    private int _parentEntryCount;
    private int[] _lastChild = new int[33];

    public Span[] Spans { get; private set; } = new Span[32];

    /// <summary>Merged span count; index <see cref="Count"/> is the synthetic root when there is one.</summary>
    public int Count { get; private set; }

    public int Root { get; private set; }

    public bool IsSyntheticRoot => Root == Count;

    public int[] Parent { get; private set; } = new int[33];

    public int[] FirstChild { get; private set; } = new int[33];

    public int[] NextSibling { get; private set; } = new int[33];

    public TraceId TraceId { get; private set; }

    /// <summary>Drops the span references so a pooled tree does not keep a trace alive.</summary>
    public void ReleaseSpans() => Array.Clear(Spans, 0, Count);

    public void Build(IReadOnlyList<Span> spans)
    {
        Grow(spans.Count);
        var traceId = spans[0].TraceId;
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i];
            Spans[i] = span;
            // Zipkin keeps the longest id when hops disagree on 64 or 128 bits.
            if (traceId.High == 0 && span.TraceId.High != 0)
            {
                traceId = span.TraceId;
            }
        }
        TraceId = traceId;
        Count = SpanCleanup.Merge(Spans, spans.Count);

        _keyToNode.Clear();
        _parentEntryByKey.Clear();
        _parentEntryCount = 0;
        for (var i = 0; i < Count; i++)
        {
            Index(Spans[i]);
        }
        Root = NoNode;
        for (var i = 0; i < Count; i++)
        {
            Process(i);
        }
        if (Root == NoNode)
        {
            Root = Count;
        }
        Attach();
    }

    private void Grow(int count)
    {
        if (Spans.Length < count)
        {
            var size = Math.Max(count, Spans.Length * 2);
            Spans = new Span[size];
            _parentEntries = new ParentEntry[size * 2];
            Parent = new int[size + 1];
            FirstChild = new int[size + 1];
            NextSibling = new int[size + 1];
            _lastChild = new int[size + 1];
        }
    }

    /// <summary>Zipkin indexes a shared span by id and service; its parent is the client with the same id.</summary>
    private void Index(Span span)
    {
        if (span.Shared)
        {
            PutParent(NodeKey.Shared(span.SpanId, span.LocalService), NodeKey.Plain(span.SpanId));
        }
        else
        {
            PutParent(NodeKey.Plain(span.SpanId), span.ParentId == 0 ? NodeKey.None : NodeKey.Plain(span.ParentId));
        }
    }

    private void Process(int node)
    {
        var span = Spans[node];
        var service = span.LocalService;
        var key = span.Shared ? NodeKey.Shared(span.SpanId, service) : NodeKey.Plain(span.SpanId);
        var noServiceKey = service is null ? key : span.Shared ? NodeKey.Shared(span.SpanId, null) : key;

        var parent = NodeKey.None;
        if (span.Shared)
        {
            parent = NodeKey.Plain(span.SpanId);
        }
        else if (span.ParentId != 0)
        {
            // A local span under a shared server span of its own service is that server's child,
            // not the client's that shares the id.
            parent = NodeKey.Shared(span.ParentId, service);
            if (_parentEntryByKey.ContainsKey(parent))
            {
                PutParent(noServiceKey, parent);
            }
            else
            {
                parent = NodeKey.Plain(span.ParentId);
            }
        }

        // Zipkin takes the first parentless span as the real root; later ones hang under it.
        if (parent.IsNone && Root == NoNode)
        {
            Root = node;
            RemoveParent(noServiceKey);
        }
        else
        {
            _keyToNode[noServiceKey] = node;
            if (span.Shared)
            {
                _keyToNode[key] = node;
            }
        }
    }

    private void Attach()
    {
        for (var i = 0; i <= Count; i++)
        {
            Parent[i] = NoNode;
            FirstChild[i] = NoNode;
            NextSibling[i] = NoNode;
            _lastChild[i] = NoNode;
        }
        for (var e = 0; e < _parentEntryCount; e++)
        {
            ref readonly var entry = ref _parentEntries[e];
            if (entry.Removed || !_keyToNode.TryGetValue(entry.Child, out var child) || child == Root || Parent[child] != NoNode)
            {
                continue;
            }
            // A missing parent (headless trace, depth-first reporting) puts the span under the root.
            if (entry.Parent.IsNone || !_keyToNode.TryGetValue(entry.Parent, out var parent) || parent == child)
            {
                parent = Root;
            }
            Parent[child] = parent;
            if (_lastChild[parent] == NoNode)
            {
                FirstChild[parent] = child;
            }
            else
            {
                NextSibling[_lastChild[parent]] = child;
            }
            _lastChild[parent] = child;
        }
    }

    private void PutParent(NodeKey child, NodeKey parent)
    {
        if (_parentEntryByKey.TryGetValue(child, out var existing))
        {
            _parentEntries[existing].Parent = parent;
            return;
        }
        if (_parentEntryCount == _parentEntries.Length)
        {
            Array.Resize(ref _parentEntries, _parentEntries.Length * 2);
        }
        _parentEntries[_parentEntryCount] = new ParentEntry { Child = child, Parent = parent };
        _parentEntryByKey[child] = _parentEntryCount++;
    }

    private void RemoveParent(NodeKey child)
    {
        if (_parentEntryByKey.Remove(child, out var entry))
        {
            _parentEntries[entry].Removed = true;
        }
    }

    private struct ParentEntry
    {
        public NodeKey Child;
        public NodeKey Parent;
        public bool Removed;
    }
}

using DepMap.Core.Spans;

namespace DepMap.Core.Linking;

/// <summary>
/// The one walk over a <see cref="TraceTree"/> that emits calls, breadth-first as Zipkin's
/// <c>DependencyLinker</c> does. Where the views differ it asks the <see cref="LinkPolicy"/>.
/// A first pass finds each span's nearest remote ancestor (INTERNAL and kind-less spans are
/// transparent) and which clients and producers a server or consumer answered; the second emits.
/// </summary>
internal sealed class LinkWalk
{
    private const int NoNode = TraceTree.NoNode;

    [ThreadStatic]
    private static LinkWalk? t_cached;

    private readonly TraceTree _tree = new();
    private readonly List<Call> _calls = [];
    private readonly List<UnnamedCall> _unnamed = [];
    private readonly Dictionary<ulong, int> _bySpanId = [];
    private readonly List<int> _linkedNodes = [];
    private readonly List<Span> _linkedSenders = [];
    private int[] _order = new int[32];
    private int[] _remoteAncestor = new int[33];
    private int[] _producer = new int[33];
    private bool[] _answered = new bool[33];
    private string?[] _local = new string?[33];
    // The call each server span gave the first of two views' walks (LinkBoth): the second view gives
    // the same call for most servers, and shares it instead of a copy of its own (a Call object for
    // every second span of a rebuild, 6% of its allocation).
    private Call?[] _serverCalls = new Call?[33];
    private bool _recordServerCalls;
    private LinkPolicy _policy = null!;
    private CrossTraceLinks _cross = CrossTraceLinks.None;

    public static LinkedTrace Link(IReadOnlyList<Span> spans, LinkPolicy policy, CrossTraceLinks? cross = null)
    {
        if (spans.Count == 0)
        {
            return LinkedTrace.Empty;
        }
        var walk = Rent();
        walk._tree.Build(spans);
        var result = walk.Walk(policy, cross ?? CrossTraceLinks.None);
        walk.Return(spans.Count);
        return result;
    }

    /// <summary>Both views of one trace from one tree: the tree does not depend on the view, only the walk does.</summary>
    public static (LinkedTrace DepMap, LinkedTrace Zipkin) LinkBoth(IReadOnlyList<Span> spans, CrossTraceLinks? cross = null)
    {
        if (spans.Count == 0)
        {
            return (LinkedTrace.Empty, LinkedTrace.Empty);
        }
        var walk = Rent();
        walk._tree.Build(spans);
        walk._recordServerCalls = true;
        var depMap = walk.Walk(LinkPolicy.For(LinkerOptions.DepMap), cross ?? CrossTraceLinks.None);
        walk._recordServerCalls = false;
        var zipkin = walk.Walk(LinkPolicy.For(LinkerOptions.Zipkin), CrossTraceLinks.None);
        Array.Clear(walk._serverCalls, 0, walk._tree.Count + 1);
        walk.Return(spans.Count);
        return (depMap, zipkin);
    }

    private static LinkWalk Rent()
    {
        var walk = t_cached ?? new LinkWalk();
        t_cached = null;
        return walk;
    }

    private void Return(int spanCount)
    {
        _tree.ReleaseSpans();
        if (spanCount <= 4096)
        {
            t_cached = this;
        }
    }

    private LinkedTrace Walk(LinkPolicy policy, CrossTraceLinks cross)
    {
        _policy = policy;
        _cross = policy.DirectMessaging ? cross : CrossTraceLinks.None;
        Grow(_tree.Count + 1);
        var count = Order();
        if (policy.DirectMessaging)
        {
            FindAnswers(count);
        }
        for (var i = 0; i < count; i++)
        {
            Emit(_order[i]);
        }
        var result = _calls.Count == 0 && _unnamed.Count == 0
            ? LinkedTrace.Empty
            : new LinkedTrace(_calls.ToArray(), _unnamed.ToArray());
        _calls.Clear();
        _unnamed.Clear();
        _bySpanId.Clear();
        _linkedSenders.Clear();
        _cross = CrossTraceLinks.None;
        Array.Clear(_local, 0, _tree.Count);
        return result;
    }

    private void Grow(int size)
    {
        if (_remoteAncestor.Length < size)
        {
            size = Math.Max(size, _remoteAncestor.Length * 2);
            _order = new int[size];
            _remoteAncestor = new int[size];
            _producer = new int[size];
            _answered = new bool[size];
            _local = new string?[size];
            _serverCalls = new Call?[size];
        }
    }

    /// <summary>Breadth-first order, nearest remote ancestors and normalised service names.</summary>
    private int Order()
    {
        var spans = _tree.Spans;
        var count = 0;
        if (_tree.IsSyntheticRoot)
        {
            // A headless trace: its root-most spans are walked as roots with no ancestor.
            for (var child = _tree.FirstChild[_tree.Root]; child != NoNode; child = _tree.NextSibling[child])
            {
                _remoteAncestor[child] = NoNode;
                _order[count++] = child;
            }
        }
        else
        {
            _remoteAncestor[_tree.Root] = NoNode;
            _order[count++] = _tree.Root;
        }
        for (var head = 0; head < count; head++)
        {
            var node = _order[head];
            _local[node] = _policy.Name(spans[node].LocalService);
            _answered[node] = false;
            _producer[node] = NoNode;
            var ancestor = IsRemote(spans[node].Kind) ? node : _remoteAncestor[node];
            for (var child = _tree.FirstChild[node]; child != NoNode; child = _tree.NextSibling[child])
            {
                _remoteAncestor[child] = ancestor;
                _order[count++] = child;
            }
        }
        return count;
    }

    /// <summary>
    /// DepMap: a client or producer is answered when a server or consumer has it as nearest remote
    /// ancestor; a consumer also answers every sender it links to, in this trace or (through
    /// <see cref="CrossTraceLinks"/>) in another, as if it were its child.
    /// </summary>
    private void FindAnswers(int count)
    {
        var spans = _tree.Spans;
        for (var i = 0; i < count; i++)
        {
            var node = _order[i];
            var kind = spans[node].Kind;
            var ancestor = _remoteAncestor[node];
            if (kind == SpanKind.Server)
            {
                if (ancestor != NoNode && spans[ancestor].Kind is SpanKind.Client or SpanKind.Producer)
                {
                    _answered[ancestor] = true;
                }
            }
            else if (kind == SpanKind.Consumer && _local[node] is { } consumer)
            {
                if (ancestor != NoNode && IsSender(ancestor, consumer))
                {
                    _producer[node] = ancestor;
                    _answered[ancestor] = true;
                }
                if (spans[node].Links.Count > 0)
                {
                    LinkedSenders(node, spans[node], consumer);
                    foreach (var sender in _linkedNodes)
                    {
                        _answered[sender] = true;
                    }
                }
            }
            else if (kind is SpanKind.Producer or SpanKind.Client && !_cross.IsEmpty && _local[node] is { } sender
                && _cross.Answered(spans[node], sender))
            {
                _answered[node] = true;
            }
        }
    }

    /// <summary>A producer (or a client used as one) in another service: a message crossed a broker.</summary>
    private bool IsSender(int node, string consumer) =>
        _tree.Spans[node].Kind is SpanKind.Producer or SpanKind.Client
        && _local[node] is { } sender && !string.Equals(sender, consumer, StringComparison.Ordinal);

    /// <summary>
    /// The senders <paramref name="consumer"/> links to, each once: in this trace as nodes
    /// (<see cref="_linkedNodes"/>, not its tree ancestor, which is paired already), in other traces
    /// as spans (<see cref="_linkedSenders"/>).
    /// </summary>
    private void LinkedSenders(int node, Span consumer, string consumerService)
    {
        _linkedNodes.Clear();
        _linkedSenders.Clear();
        var links = consumer.Links;
        for (var i = 0; i < links.Count; i++)
        {
            if (links[i].TraceId.Low != _tree.TraceId.Low)
            {
                if (_cross.Sender(links[i]) is { } span && _policy.Name(span.LocalService) is { } sender
                    && !string.Equals(sender, consumerService, StringComparison.Ordinal) && !_linkedSenders.Contains(span))
                {
                    _linkedSenders.Add(span);
                }
                continue;
            }
            if (_bySpanId.Count == 0)
            {
                IndexSpanIds();
            }
            if (_bySpanId.TryGetValue(links[i].SpanId, out var linked) && linked != NoNode && linked != _producer[node]
                && IsSender(linked, consumerService) && !_linkedNodes.Contains(linked))
            {
                _linkedNodes.Add(linked);
            }
        }
    }

    private void IndexSpanIds()
    {
        var spans = _tree.Spans;
        for (var i = 0; i < _tree.Count; i++)
        {
            // Only senders matter; a server sharing its client's id must not hide the client.
            if (spans[i].Kind is SpanKind.Producer or SpanKind.Client)
            {
                _bySpanId[spans[i].SpanId] = i;
            }
        }
        _bySpanId.TryAdd(0, NoNode);
    }

    private void Emit(int node)
    {
        var span = _tree.Spans[node];
        switch (span.Kind)
        {
            case SpanKind.Server:
                EmitServer(node, span);
                break;
            case SpanKind.Consumer:
                EmitConsumer(node, span);
                break;
            case SpanKind.Client:
                EmitClient(node, span, kindless: false);
                break;
            case SpanKind.Producer:
                EmitProducer(node, span);
                break;
            case SpanKind.Unspecified when _local[node] is not null && _policy.Name(span.RemoteService) is not null:
                // A kind-less span naming both sides is Zipkin v1's one-span RPC: it acts as a client.
                EmitClient(node, span, kindless: true);
                break;
            default:
                break;
        }
    }

    private void EmitServer(int node, Span server)
    {
        var callee = _local[node];
        var ancestor = _remoteAncestor[node];
        var ancestorName = ancestor == NoNode ? null : _local[ancestor];
        if (ancestorName is not null)
        {
            // The server knows who called it only through the tree: the nearest remote ancestor.
            var caller = _tree.Spans[ancestor];
            var paired = caller.Kind is SpanKind.Client or SpanKind.Producer;
            if (callee is null
                || (!paired && !_policy.LinksNestedServers && string.Equals(ancestorName, callee, StringComparison.Ordinal)))
            {
                return;
            }
            var failed = _policy.Failed(server, caller);
            var operation = server.Name ?? (paired ? caller.Name : null);
            var start = paired ? caller.StartUnixNano : server.StartUnixNano;
            // Everything else of the earlier view's call is the span's, the same in both views.
            var call = _serverCalls[node] is { } earlier && earlier.Caller == ancestorName && earlier.Callee == callee
                && earlier.Failed == failed && earlier.Operation == operation && earlier.StartUnixNano == start
                && earlier.CallerNamespace == caller.ServiceNamespace
                && earlier.ClientDurationNano == (paired ? caller.DurationNano : null)
                ? earlier
                : new Call
                {
                    Caller = ancestorName,
                    CallerNamespace = caller.ServiceNamespace,
                    Callee = callee,
                    CalleeNamespace = server.ServiceNamespace,
                    Failed = failed,
                    ClientDurationNano = paired ? caller.DurationNano : null,
                    ServerDurationNano = server.DurationNano,
                    Operation = operation,
                    StartUnixNano = start,
                    TraceId = _tree.TraceId,
                };
            if (_recordServerCalls)
            {
                _serverCalls[node] = call;
            }
            Add(call);
            return;
        }
        if (callee is null)
        {
            return;
        }
        if (_policy.UnreportedCaller(server) is { } named)
        {
            Add(Entry(server, callee, named, NodeType.External, ConnectionType.VirtualNode));
        }
        else if (node == _tree.Root && _policy.EntryNodeName is { } entry)
        {
            Add(Entry(server, callee, entry, NodeType.User, ConnectionType.VirtualNode));
        }
    }

    private void EmitConsumer(int node, Span consumer)
    {
        var callee = _local[node];
        if (callee is null)
        {
            return;
        }
        if (_policy.DirectMessaging)
        {
            var paired = false;
            if (_producer[node] is var parent and not NoNode)
            {
                AddMessage(_tree.Spans[parent], _local[parent]!, consumer, callee);
                paired = true;
            }
            if (consumer.Links.Count > 0)
            {
                // Each link is one message (a batch consumer links to many producers).
                LinkedSenders(node, consumer, callee);
                foreach (var linked in _linkedNodes)
                {
                    AddMessage(_tree.Spans[linked], _local[linked]!, consumer, callee);
                }
                foreach (var sender in _linkedSenders)
                {
                    AddMessage(sender, _policy.Name(sender.LocalService)!, consumer, callee);
                }
                paired |= _linkedNodes.Count > 0 || _linkedSenders.Count > 0;
            }
            if (paired)
            {
                return;
            }
        }
        if (_policy.Broker(consumer) is { } broker)
        {
            Add(Entry(consumer, callee, broker, NodeType.Broker, ConnectionType.MessagingSystem, broker));
        }
        else if (node == _tree.Root && _policy.EntryNodeName is { } entry)
        {
            Add(Entry(consumer, callee, entry, NodeType.User, ConnectionType.VirtualNode));
        }
    }

    /// <summary>A direct producer → consumer call: the broker and destination recorded on the edge, the queue delay kept.</summary>
    private void AddMessage(Span producer, string caller, Span consumer, string callee)
    {
        var delay = consumer.StartUnixNano - producer.EndUnixNano;
        Add(new Call
        {
            Caller = caller,
            CallerNamespace = producer.ServiceNamespace,
            Callee = callee,
            CalleeNamespace = consumer.ServiceNamespace,
            ConnectionType = _policy.Connection(ConnectionType.MessagingSystem),
            Failed = producer.Error || consumer.Error,
            ClientDurationNano = producer.DurationNano,
            ServerDurationNano = consumer.DurationNano,
            Operation = consumer.Name ?? producer.Name,
            StartUnixNano = producer.StartUnixNano,
            Broker = _policy.Broker(consumer) ?? _policy.Broker(producer),
            Destination = PeerNames.Present(consumer.MessagingDestinationName) ?? PeerNames.Present(producer.MessagingDestinationName),
            // Zero or less is clock skew between the hosts, not a queue.
            QueueDelayNano = delay > 0 ? delay : null,
            TraceId = _tree.TraceId,
        });
    }

    private void EmitClient(int node, Span client, bool kindless)
    {
        var answered = !kindless && _policy.ClientAnswered(_tree.FirstChild[node] != NoNode, _answered[node]);
        if (answered && !_policy.BackfillsAnsweredClients)
        {
            return;
        }
        var local = _local[node];
        var ancestor = _remoteAncestor[node];
        var ancestorSpan = ancestor == NoNode ? null : _tree.Spans[ancestor];
        var ancestorName = ancestor == NoNode ? null : _local[ancestor];
        if (ancestorName is not null && local is not null && !string.Equals(ancestorName, local, StringComparison.Ordinal))
        {
            // The client runs in another service than its remote ancestor: the hop into this
            // service was not reported. Link it; nothing is known of its failure or latency.
            Add(new Call
            {
                Caller = ancestorName,
                CallerNamespace = ancestorSpan!.ServiceNamespace,
                Callee = local,
                CalleeNamespace = client.ServiceNamespace,
                StartUnixNano = client.StartUnixNano,
                TraceId = _tree.TraceId,
            });
        }
        if (answered)
        {
            return;
        }
        var caller = local ?? ancestorName;
        if (caller is null)
        {
            return;
        }
        var callee = kindless ? _policy.Name(client.RemoteService) : _policy.LeafPeer(client);
        if (callee is null)
        {
            if (_policy.CountsUnnamedCalls)
            {
                _unnamed.Add(new UnnamedCall(caller, client.Error, client.StartUnixNano));
            }
            return;
        }
        var database = PeerNames.IsDatabase(client);
        Add(new Call
        {
            Caller = caller,
            CallerNamespace = local is not null ? client.ServiceNamespace : ancestorSpan!.ServiceNamespace,
            Callee = callee,
            // A kind-less span names an instrumented service; a leaf client's peer reports nothing.
            CalleeType = database ? NodeType.Database : kindless ? NodeType.Service : NodeType.External,
            ConnectionType = _policy.Connection(database ? ConnectionType.Database : kindless ? ConnectionType.None : ConnectionType.VirtualNode),
            Failed = _policy.Failed(client, ancestorName is null ? null : ancestorSpan),
            ClientDurationNano = client.DurationNano,
            Operation = client.Name,
            StartUnixNano = client.StartUnixNano,
            TraceId = _tree.TraceId,
        });
    }

    private void EmitProducer(int node, Span producer)
    {
        var local = _local[node];
        if (local is null || (_policy.DirectMessaging && _answered[node]))
        {
            return;
        }
        var broker = _policy.Broker(producer);
        if (broker is null)
        {
            if (_policy.CountsUnnamedCalls)
            {
                _unnamed.Add(new UnnamedCall(local, producer.Error, producer.StartUnixNano));
            }
            return;
        }
        Add(new Call
        {
            Caller = local,
            CallerNamespace = producer.ServiceNamespace,
            Callee = broker,
            CalleeType = NodeType.Broker,
            ConnectionType = _policy.Connection(ConnectionType.MessagingSystem),
            Failed = producer.Error,
            ClientDurationNano = producer.DurationNano,
            Operation = producer.Name,
            StartUnixNano = producer.StartUnixNano,
            Broker = broker,
            Destination = PeerNames.Present(producer.MessagingDestinationName),
            TraceId = _tree.TraceId,
        });
    }

    /// <summary>A call into <paramref name="span"/>'s service from a node that reports no spans.</summary>
    private Call Entry(Span span, string callee, string caller, NodeType callerType, ConnectionType type, string? broker = null) => new()
    {
        Caller = caller,
        CallerType = callerType,
        Callee = callee,
        CalleeNamespace = span.ServiceNamespace,
        ConnectionType = _policy.Connection(type),
        Failed = span.Error,
        ServerDurationNano = span.DurationNano,
        Operation = span.Name,
        StartUnixNano = span.StartUnixNano,
        TraceId = _tree.TraceId,
        Broker = broker,
        Destination = broker is null ? null : PeerNames.Present(span.MessagingDestinationName),
    };

    private void Add(Call call) => _calls.Add(call);

    private static bool IsRemote(SpanKind kind) => kind is SpanKind.Server or SpanKind.Client or SpanKind.Producer or SpanKind.Consumer;
}

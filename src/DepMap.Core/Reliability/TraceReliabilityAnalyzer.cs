using System.Runtime.InteropServices;
using DepMap.Core.Spans;

namespace DepMap.Core.Reliability;

/// <summary>
/// One walk over a span tree that collects the facts of <see cref="TraceReliability"/>. The tree
/// and the walk's lists are kept per thread and reused, so only the facts themselves are allocated.
/// </summary>
internal sealed class TraceReliabilityAnalyzer
{
    [ThreadStatic]
    private static TraceReliabilityAnalyzer? t_cached;

    private readonly SpanTree _tree = new();
    private readonly ErrorOriginScratch _origin = new();
    private readonly List<int> _answers = [];
    private readonly Stack<int> _pending = new();
    // Filled per trace and copied out as arrays of their final size: a dictionary grown entry by
    // entry leaves two smaller copies behind for every trace.
    private readonly Dictionary<string, ServiceFacts> _services = [];
    private readonly Dictionary<ServiceEdge, EdgeFacts> _edges = [];
    private (long Start, long End)[] _intervals = new (long, long)[8];

    public static TraceReliability Analyze(IReadOnlyList<Span> spans)
    {
        var analyzer = t_cached ?? new TraceReliabilityAnalyzer();
        t_cached = null;
        analyzer._tree.Build(spans);
        var result = analyzer.Analyze();
        analyzer._tree.Release();
        // A huge trace would pin its grown arrays to the thread for good; let it go.
        if (spans.Count <= 4096)
        {
            t_cached = analyzer;
        }
        return result;
    }

    private TraceReliability Analyze()
    {
        var tree = _tree;
        var services = _services;
        var edges = _edges;
        services.Clear();
        edges.Clear();
        long minStart = long.MaxValue, maxEnd = long.MinValue;

        for (var node = 0; node < tree.Count; node++)
        {
            var span = tree.Spans[node];
            minStart = Math.Min(minStart, span.StartUnixNano);
            maxEnd = Math.Max(maxEnd, span.StartUnixNano + Math.Max(0, span.DurationNano));
            if (span.LocalService is not { } service)
            {
                continue;
            }
            var facts = new ServiceFacts(0, 0, 0, 0, SelfTime.Of(tree, node, ref _intervals));
            if (ErrorOrigin.IsRequest(tree, node))
            {
                var originated = span.Error && ErrorOrigin.Originated(tree, node, _origin);
                facts = facts with
                {
                    Requests = 1,
                    Errors = span.Error ? 1 : 0,
                    Originated = originated ? 1 : 0,
                    PassedOn = span.Error && !originated ? 1 : 0,
                };
            }
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(services, service, out _);
            sum += facts;
            if (span.Kind is SpanKind.Client or SpanKind.Producer)
            {
                AddCalls(node, service, edges);
            }
        }

        var roots = tree.Roots;
        var root = tree.Spans[roots[0]];
        return new TraceReliability
        {
            EntryPoint = root.LocalService ?? TraceReliability.UnknownEntryPoint,
            EndToEndNano = roots.Length == 1 && root.DurationNano > 0 ? root.DurationNano : maxEnd - minStart,
            Services = FactsByKey<string, ServiceFacts>.CopyOf(services),
            Edges = FactsByKey<ServiceEdge, EdgeFacts>.CopyOf(edges),
        };
    }

    private void AddCalls(int client, string caller, Dictionary<ServiceEdge, EdgeFacts> edges)
    {
        CallTargets.FindAnswers(_tree, client, _answers, _pending);
        var clientSpan = _tree.Spans[client];
        var clientFailed = clientSpan.Error;
        if (_answers.Count == 0)
        {
            if (CallTargets.PeerName(clientSpan) is { } peer)
            {
                var failed = clientFailed ? 1 : 0;
                Add(edges, new ServiceEdge(caller, peer), new EdgeFacts(1, failed, 0, failed));
            }
            return;
        }
        foreach (var answer in _answers)
        {
            var answerSpan = _tree.Spans[answer];
            if (answerSpan.LocalService is not { } callee)
            {
                continue;
            }
            var downstream = answerSpan.Error;
            var atClient = clientFailed && !downstream;
            Add(edges, new ServiceEdge(caller, callee),
                new EdgeFacts(1, downstream || atClient ? 1 : 0, downstream ? 1 : 0, atClient ? 1 : 0));
        }
    }

    private static void Add(Dictionary<ServiceEdge, EdgeFacts> edges, ServiceEdge edge, EdgeFacts facts)
    {
        ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(edges, edge, out _);
        sum += facts;
    }
}

using DepMap.Core.Spans;

namespace DepMap.Core.Reliability;

/// <summary>One walk over a span tree that collects the facts of <see cref="TraceReliability"/>.</summary>
internal static class TraceReliabilityAnalyzer
{
    public static TraceReliability Analyze(SpanTree tree)
    {
        var services = new Dictionary<string, ServiceFacts>();
        var edges = new Dictionary<ServiceEdge, EdgeFacts>();
        var intervals = new List<(long, long)>();
        var answers = new List<SpanTreeNode>();
        long minStart = long.MaxValue, maxEnd = long.MinValue;

        foreach (var node in tree.Nodes)
        {
            var span = node.Span;
            minStart = Math.Min(minStart, span.StartUnixNano);
            maxEnd = Math.Max(maxEnd, span.StartUnixNano + Math.Max(0, span.DurationNano));
            if (span.LocalService is not { } service)
            {
                continue;
            }
            var facts = new ServiceFacts(0, 0, 0, 0, SelfTime.Of(node, intervals));
            if (ErrorOrigin.IsRequest(node))
            {
                var originated = span.Error && ErrorOrigin.Originated(node);
                facts = facts with
                {
                    Requests = 1,
                    Errors = span.Error ? 1 : 0,
                    Originated = originated ? 1 : 0,
                    PassedOn = span.Error && !originated ? 1 : 0,
                };
            }
            services[service] = services.GetValueOrDefault(service) + facts;
            if (span.Kind is SpanKind.Client or SpanKind.Producer)
            {
                AddCalls(node, service, edges, answers);
            }
        }

        var root = tree.Roots[0];
        return new TraceReliability
        {
            EntryPoint = root.Span.LocalService ?? TraceReliability.UnknownEntryPoint,
            EndToEndNano = tree.Roots.Count == 1 && root.Span.DurationNano > 0 ? root.Span.DurationNano : maxEnd - minStart,
            Services = services,
            Edges = edges,
        };
    }

    private static void AddCalls(SpanTreeNode client, string caller, Dictionary<ServiceEdge, EdgeFacts> edges, List<SpanTreeNode> answers)
    {
        CallTargets.FindAnswers(client, answers);
        var clientFailed = client.Span.Error;
        if (answers.Count == 0)
        {
            if (CallTargets.PeerName(client.Span) is { } peer)
            {
                var failed = clientFailed ? 1 : 0;
                Add(edges, new ServiceEdge(caller, peer), new EdgeFacts(1, failed, 0, failed));
            }
            return;
        }
        foreach (var answer in answers)
        {
            if (answer.Span.LocalService is not { } callee)
            {
                continue;
            }
            var downstream = answer.Span.Error;
            var atClient = clientFailed && !downstream;
            Add(edges, new ServiceEdge(caller, callee),
                new EdgeFacts(1, downstream || atClient ? 1 : 0, downstream ? 1 : 0, atClient ? 1 : 0));
        }
    }

    private static void Add(Dictionary<ServiceEdge, EdgeFacts> edges, ServiceEdge edge, EdgeFacts facts) =>
        edges[edge] = edges.GetValueOrDefault(edge) + facts;
}

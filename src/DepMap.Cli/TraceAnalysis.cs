using DepMap.Core.Graph;
using DepMap.Core.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;

namespace DepMap.Cli;

/// <summary>
/// The DepMap view of a set of spans: the graph's statistics and the reliability facts, from one
/// grouping of the spans by trace (by the low 64 bits of the id, as the linker groups them, so the
/// two agree on what a trace is).
/// </summary>
internal sealed class TraceAnalysis
{
    private TraceAnalysis(GraphStatistics graph, ReliabilityStatistics reliability)
    {
        Graph = graph;
        Reliability = reliability;
    }

    public GraphStatistics Graph { get; }
    public ReliabilityStatistics Reliability { get; }

    public static TraceAnalysis Of(IEnumerable<Span> spans)
    {
        var graph = new GraphStatistics();
        var reliability = new ReliabilityStatistics();
        var traces = spans.GroupBy(span => span.TraceId.Low).Select(trace => (IReadOnlyList<Span>)trace.ToList()).ToList();
        // All input files together: a consumer pairs with its producer whichever file holds it.
        var cross = CrossTraceLinks.Of(traces);
        foreach (var trace in traces)
        {
            graph.Add(TraceLinker.Link(trace, LinkerOptions.DepMap, cross));
            reliability.Add(TraceReliability.Analyze(trace));
        }
        return new TraceAnalysis(graph, reliability);
    }

    /// <summary>p99 of the latency each node served, the ranking's latency input.</summary>
    public IReadOnlyDictionary<string, long> P99ServerLatencyNano() => Graph.Nodes.Values
        .Where(node => !node.Latency.IsEmpty)
        .ToDictionary(node => node.Name, node => (long)node.Latency.Quantile(0.99), StringComparer.Ordinal);

    /// <summary>The graph with each reporting service's health band (by the errors it originates) set.</summary>
    public ServiceGraph ServiceGraph(RankingOptions options)
    {
        var graph = Core.Graph.ServiceGraph.From(Graph);
        foreach (var (name, totals) in Reliability.Services)
        {
            if (graph.FindNode(name) is { } node)
            {
                node.Health = ReliabilityRanking.Health(totals.OriginatedRate, options) switch
                {
                    ServiceHealth.Failing => NodeHealth.Failing,
                    ServiceHealth.Degraded => NodeHealth.Degraded,
                    _ => NodeHealth.Healthy,
                };
            }
        }
        return graph;
    }
}

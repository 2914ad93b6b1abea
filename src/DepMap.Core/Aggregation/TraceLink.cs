using DepMap.Core.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Spans;

namespace DepMap.Core.Aggregation;

/// <summary>What one link of a trace contributes: both linker views and the reliability facts.</summary>
public sealed record TraceLink(LinkedTrace DepMap, LinkedTrace Zipkin, TraceReliability Reliability, long StartUnixNano)
{
    public static TraceLink Of(IReadOnlyList<Span> spans) => Of(spans, CrossTraceLinks.None);

    /// <summary>The trace's link, its messaging spans paired with those of other traces by <paramref name="crossTrace"/>.</summary>
    public static TraceLink Of(IReadOnlyList<Span> spans, CrossTraceLinks crossTrace)
    {
        var start = long.MaxValue;
        foreach (var span in spans)
        {
            start = Math.Min(start, span.StartUnixNano);
        }
        var (depMap, zipkin) = TraceLinker.LinkBothViews(spans, crossTrace);
        return new TraceLink(
            depMap,
            zipkin,
            TraceReliability.Analyze(spans),
            spans.Count == 0 ? 0 : start);
    }
}

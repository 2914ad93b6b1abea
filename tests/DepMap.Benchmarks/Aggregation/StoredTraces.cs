using DepMap.Benchmarks.Linking;
using DepMap.Core.Spans;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// The traces the rebuild benches store, the same on every store: the load generator's ring of
/// <c>ringServices</c> services (or the 50-service mesh when 0), started evenly over
/// <c>spreadHours</c> as a day of traffic is (all in one minute when 0).
/// </summary>
internal static class StoredTraces
{
    public static (IEnumerable<Span[]> Traces, int SpansPerTrace) Of(int spans, double spreadHours, int ringServices)
    {
        var spansPerTrace = ringServices > 0 ? RingTraces.SpansPerTrace : SyntheticTraces.SpansPerTrace;
        var count = spans / spansPerTrace;
        var traces = ringServices > 0 ? RingTraces.Stream(count, ringServices, seed: 7) : SyntheticTraces.Stream(count, seed: 7);
        if (spreadHours > 0)
        {
            var step = (long)(spreadHours * 3_600e9 / count);
            traces = traces.Select((trace, i) => trace.Select(span => span with { StartUnixNano = span.StartUnixNano + i * step }).ToArray());
        }
        return (traces, spansPerTrace);
    }
}

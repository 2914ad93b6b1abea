using BenchmarkDotNet.Attributes;
using DepMap.Benchmarks.Linking;
using DepMap.Core.Aggregation;
using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// The aggregation's in-memory work per span on one core: one operation is one span, so
/// 1 / (time per op) is spans per second. <see cref="LinkAndStatistics"/> is the DepMap view and
/// its graph statistics; <see cref="FullRun"/> is what a run computes per trace: both views, the
/// reliability facts, and the minute and hour bucket deltas. The synthetic traces all start in one
/// minute, as a run every minute mostly sees; <see cref="FullRunOverAnHour"/> spreads them over 60
/// minutes, as a flush of a backlog does, so each hour bucket is a merge of many minutes.
/// </summary>
[MemoryDiagnoser]
public class AggregationBenchmarks
{
    private const int Traces = 1_000;
    private const int Spans = Traces * SyntheticTraces.SpansPerTrace;

    private const long MinuteNano = 60_000_000_000;

    private Span[][] _traces = [];
    private Span[][] _tracesOverAnHour = [];

    [GlobalSetup]
    public void Setup()
    {
        _traces = SyntheticTraces.Generate(Traces, seed: 42);
        _tracesOverAnHour = [.. _traces.Select((trace, i) => trace.Select(span => span with { StartUnixNano = span.StartUnixNano + (i % 60 * MinuteNano) }).ToArray())];
    }

    [Benchmark(OperationsPerInvoke = Spans)]
    public int LinkAndStatistics()
    {
        var statistics = new GraphStatistics();
        foreach (var trace in _traces)
        {
            statistics.Add(TraceLinker.Link(trace, LinkerOptions.DepMap));
        }
        return statistics.Edges.Count;
    }

    [Benchmark(OperationsPerInvoke = Spans)]
    public int FullRun() => Run(_traces);

    [Benchmark(OperationsPerInvoke = Spans)]
    public int FullRunOverAnHour() => Run(_tracesOverAnHour);

    private static int Run(Span[][] traces)
    {
        var delta = new StatisticsDelta();
        foreach (var trace in traces)
        {
            delta.Add(TraceLink.Of(trace));
        }
        return delta.Buckets.Count;
    }
}

using BenchmarkDotNet.Attributes;
using DepMap.Benchmarks.Linking;
using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;
using DepMap.Server.Features.Aggregation;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// The aggregation's in-memory work per span on one core: one operation is one span, so
/// 1 / (time per op) is spans per second. <see cref="LinkAndStatistics"/> is the DepMap view and
/// its graph statistics; <see cref="FullRun"/> is what a run computes per trace: both views, the
/// reliability facts, and the minute and hour bucket deltas.
/// </summary>
[MemoryDiagnoser]
public class AggregationBenchmarks
{
    private const int Traces = 1_000;
    private const int Spans = Traces * SyntheticTraces.SpansPerTrace;

    private Span[][] _traces = [];

    [GlobalSetup]
    public void Setup() => _traces = SyntheticTraces.Generate(Traces, seed: 42);

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
    public int FullRun()
    {
        var delta = new StatisticsDelta();
        foreach (var trace in _traces)
        {
            delta.Add(TraceLink.Of(trace));
        }
        return delta.Buckets.Count;
    }
}

using BenchmarkDotNet.Attributes;
using DepMap.Benchmarks.Linking;
using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// Edge and node statistics alone on one core, per span: <see cref="GraphStatistics.Add"/> of
/// 1,000 traces of 20 spans linked in setup. <see cref="AggregationBenchmarks"/> measures it
/// together with linking and the rest of a run's per-trace work.
/// </summary>
[MemoryDiagnoser]
public class StatisticsBenchmarks
{
    private const int Traces = 1_000;
    private const int Spans = Traces * SyntheticTraces.SpansPerTrace;

    private Span[][] _traces = [];
    private LinkedTrace[] _linked = [];

    [GlobalSetup]
    public void Setup()
    {
        _traces = SyntheticTraces.Generate(Traces, seed: 42);
        _linked = [.. _traces.Select(t => TraceLinker.Link(t, LinkerOptions.DepMap))];
    }

    [Benchmark(OperationsPerInvoke = Spans)]
    public int GraphStatisticsAdd()
    {
        var statistics = new GraphStatistics();
        foreach (var trace in _linked)
        {
            statistics.Add(trace);
        }
        return statistics.Edges.Count;
    }
}

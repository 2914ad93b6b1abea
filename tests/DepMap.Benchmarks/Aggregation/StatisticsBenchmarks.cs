using BenchmarkDotNet.Attributes;
using DepMap.Benchmarks.Linking;
using DepMap.Core.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// Edge and node statistics on one core, per span: <see cref="GraphStatistics.Add"/> of 1,000
/// traces of 20 spans linked in setup; and the whole in-memory work the aggregation does per
/// trace (both linker views, reliability facts, graph statistics, Zipkin links), so the "linking
/// and aggregation, 1,000,000 spans/s per core" target is measured on what actually runs.
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

    /// <summary>What one aggregation run does in memory for each settled trace, without the database.</summary>
    [Benchmark(OperationsPerInvoke = Spans)]
    public int LinkAndAggregate()
    {
        var graph = new GraphStatistics();
        var reliability = new ReliabilityStatistics();
        var links = 0;
        foreach (var trace in _traces)
        {
            graph.Add(TraceLinker.Link(trace, LinkerOptions.DepMap));
            links += ZipkinDependencies.Aggregate(TraceLinker.Link(trace, LinkerOptions.Zipkin).Calls).Count;
            reliability.Add(TraceReliability.Analyze(trace));
        }
        return graph.Edges.Count + links;
    }
}

using BenchmarkDotNet.Attributes;
using DepMap.Benchmarks.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Spans;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// Reliability analysis on one core, per span: each invocation analyses 1,000 traces of 20 spans
/// and adds their facts to one <see cref="ReliabilityStatistics"/>, as the aggregation does for
/// every linked trace.
/// </summary>
[MemoryDiagnoser]
public class ReliabilityBenchmarks
{
    private const int Traces = 1_000;
    private const int Spans = Traces * SyntheticTraces.SpansPerTrace;

    private Span[][] _traces = [];
    private TraceReliability[] _analysed = [];

    [GlobalSetup]
    public void Setup()
    {
        _traces = SyntheticTraces.Generate(Traces, seed: 42);
        _analysed = [.. _traces.Select(TraceReliability.Analyze)];
    }

    [Benchmark(OperationsPerInvoke = Spans)]
    public long AnalyzeAndAdd()
    {
        var statistics = new ReliabilityStatistics();
        foreach (var trace in _traces)
        {
            statistics.Add(TraceReliability.Analyze(trace));
        }
        return statistics.Traces;
    }

    /// <summary>The <see cref="ReliabilityStatistics.Add(TraceReliability)"/> share alone, over traces analysed in setup.</summary>
    [Benchmark(OperationsPerInvoke = Spans)]
    public long AddOnly()
    {
        var statistics = new ReliabilityStatistics();
        foreach (var trace in _analysed)
        {
            statistics.Add(trace);
        }
        return statistics.Traces;
    }
}

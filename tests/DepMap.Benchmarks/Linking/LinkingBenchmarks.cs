using BenchmarkDotNet.Attributes;
using DepMap.Core.Linking;
using DepMap.Core.Spans;

namespace DepMap.Benchmarks.Linking;

/// <summary>
/// Linking throughput on one core: each invocation links <see cref="Traces"/> pre-generated traces
/// of 20 spans, so one "operation" is one span and 1 / (time per op) is spans per second.
/// </summary>
[MemoryDiagnoser]
public class LinkingBenchmarks
{
    private const int Traces = 1_000;
    private const int Spans = Traces * SyntheticTraces.SpansPerTrace;

    private Span[][] _traces = [];

    [GlobalSetup]
    public void Setup() => _traces = SyntheticTraces.Generate(Traces, seed: 42);

    [Benchmark(OperationsPerInvoke = Spans)]
    public int DepMapView() => LinkEach(LinkerOptions.DepMap);

    [Benchmark(OperationsPerInvoke = Spans)]
    public int ZipkinView() => LinkEach(LinkerOptions.Zipkin);

    private int LinkEach(LinkerOptions options)
    {
        var calls = 0;
        foreach (var trace in _traces)
        {
            calls += TraceLinker.Link(trace, options).Calls.Count;
        }
        return calls;
    }
}

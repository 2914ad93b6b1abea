using System.Diagnostics;
using DepMap.Benchmarks.Linking;
using DepMap.Core.Aggregation;
using DepMap.Core.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// Where <see cref="AggregationBenchmarks.FullRun"/>'s time goes, part by part, on the same 1,000
/// synthetic traces: wall and process CPU time per span (CPU time is steadier on a shared machine),
/// bytes allocated, collections per generation and GC pause per span. <see cref="Loop"/> repeats
/// one part for a profiler (<c>dotnet-trace collect -- dotnet DepMap.Benchmarks.dll loop full 150</c>).
/// </summary>
internal static class Breakdown
{
    private const int Traces = 1_000;
    private const int Spans = Traces * SyntheticTraces.SpansPerTrace;

    public static void Run(int repetitions)
    {
        var traces = SyntheticTraces.Generate(Traces, seed: 42);
        var links = traces.Select(TraceLink.Of).ToArray();
        for (var round = 0; round < 2; round++)
        {
            Time("FullRun", repetitions, () => FullRun(traces));
            Time("TraceLink.Of", repetitions, () => Each(traces, trace => TraceLink.Of(trace)));
            Time("LinkBothViews", repetitions, () => Each(traces, trace => TraceLinker.LinkBothViews(trace)));
            Time("TraceReliability", repetitions, () => Each(traces, trace => TraceReliability.Analyze(trace)));
            Time("StatisticsDelta.Add", repetitions, () => AddAll(links));
            Time("GraphStatistics.Add", repetitions, () =>
            {
                var statistics = new GraphStatistics();
                foreach (var link in links)
                {
                    statistics.Add(link.DepMap);
                }
            });
            Time("Reliability.Add", repetitions, () =>
            {
                var statistics = new ReliabilityStatistics();
                foreach (var link in links)
                {
                    statistics.Add(link.Reliability);
                }
            });
        }
    }

    public static void Loop(string part, int repetitions)
    {
        var traces = SyntheticTraces.Generate(Traces, seed: 42);
        var links = traces.Select(TraceLink.Of).ToArray();
        for (var r = 0; r < repetitions; r++)
        {
            if (part == "delta")
            {
                AddAll(links);
            }
            else
            {
                FullRun(traces);
            }
        }
    }

    private static int FullRun(Span[][] traces)
    {
        var delta = new StatisticsDelta();
        foreach (var trace in traces)
        {
            delta.Add(TraceLink.Of(trace));
        }
        return delta.Buckets.Count;
    }

    private static void AddAll(TraceLink[] links)
    {
        var delta = new StatisticsDelta();
        foreach (var link in links)
        {
            delta.Add(link);
        }
    }

    private static void Each(Span[][] traces, Action<Span[]> body)
    {
        foreach (var trace in traces)
        {
            body(trace);
        }
    }

    private static void Time(string name, int repetitions, Action body)
    {
        for (var warmup = 0; warmup < 3; warmup++)
        {
            body();
        }
        GC.Collect();
        var collections = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var pause = GC.GetTotalPauseDuration();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (var r = 0; r < repetitions; r++)
        {
            body();
        }
        wall.Stop();
        double PerSpan(double total) => total / repetitions / Spans;
        Console.WriteLine(
            $"{name,-20} {PerSpan(wall.Elapsed.TotalNanoseconds),7:F0} ns/span wall "
            + $"{PerSpan((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalNanoseconds),7:F0} ns/span CPU "
            + $"{PerSpan(GC.GetAllocatedBytesForCurrentThread() - allocated),5:F0} B/span "
            + $"GC {GC.CollectionCount(0) - collections[0]}/{GC.CollectionCount(1) - collections[1]}/{GC.CollectionCount(2) - collections[2]} "
            + $"pause {PerSpan((GC.GetTotalPauseDuration() - pause).TotalNanoseconds),5:F0} ns/span");
    }
}

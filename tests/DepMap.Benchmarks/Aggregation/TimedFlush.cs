using System.Diagnostics;
using DepMap.Server.Features.Aggregation;
using DepMap.Server.Features.Metrics;
using DepMap.Storage.Aggregation;
using Microsoft.Extensions.Options;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// One flush through the real handler over <c>engine</c>, timed with what it cost the process: CPU, allocation,
/// collections and the peak memory while it ran. Both stores' rebuild benches print it the same
/// way, so their figures compare line by line.
/// </summary>
internal sealed record TimedFlush(AggregationResult Result, TimeSpan Elapsed, TimeSpan Cpu, long Allocated,
    (int Gen0, int Gen1, int Gen2) Collections, TimeSpan Paused, long PeakWorkingSet, long PeakCommitted, long PeakHeap)
{
    /// <summary>
    /// The flush alone, from a database where nothing is linked: a rebuild (a recurring run before it
    /// would link every complete trace itself and leave the flush nothing to time). It collects
    /// first, so the flush starts from what the setup left alive, not its garbage.
    /// </summary>
    public static async Task<TimedFlush> RunAsync(IAggregationEngine engine, int? batchSize)
    {
        using var gate = new AggregationGate(TimeProvider.System);
        using var progress = new AggregationProgress();
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var handler = new AggregateSpansHandler(engine, gate, progress,
            Options.Create(new AggregationOptions { SettleSeconds = 3600, SpanBatchSize = batchSize }), TimeProvider.System,
            new DepMapMetrics(registry), new ServiceGraphMetrics(registry));
        GC.Collect();
        using var memory = new SqliteAggregationRun.PeakMemory();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var before = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var pausedBefore = GC.GetTotalPauseDuration();
        var watch = Stopwatch.StartNew();
        var result = await handler.Handle(new AggregateSpans(Flush: true), CancellationToken.None);
        watch.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var after = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        var peak = memory.Stop();
        return new TimedFlush(result, watch.Elapsed, cpu, allocated, (after.Item1 - before.Item1, after.Item2 - before.Item2, after.Item3 - before.Item3),
            paused, peak, memory.PeakCommitted, memory.PeakHeap);
    }

    /// <summary>The flush's lines; <paramref name="cpuNote"/> says what the CPU figure leaves out.</summary>
    public void Print(string cpuNote)
    {
        Console.WriteLine($"flush aggregation     {Result.SpansTakenIn:N0} spans, {Result.TracesLinked:N0} traces in {Elapsed.TotalSeconds:F2} s = {Result.SpansTakenIn / Elapsed.TotalSeconds:N0} spans/s");
        Console.WriteLine($"  CPU time            {Cpu.TotalSeconds:F2} s of both cores {cpuNote}");
        Console.WriteLine($"  allocated           {Allocated / (double)Math.Max(1, Result.SpansTakenIn):N0} bytes/span ({Allocated / 1048576.0:N0} MiB); GC {Collections.Gen0}/{Collections.Gen1}/{Collections.Gen2} (gen 0/1/2), paused {Paused.TotalSeconds:F2} s");
        Console.WriteLine($"  peak memory         {PeakWorkingSet / 1048576.0:F0} MiB working set of the process while it aggregated (sampled every 50 ms)");
        Console.WriteLine($"  the GC's memory     {PeakCommitted / 1048576.0:F0} MiB committed at most, {PeakHeap / 1048576.0:F0} MiB heap after a collection at most (same samples)");
    }
}

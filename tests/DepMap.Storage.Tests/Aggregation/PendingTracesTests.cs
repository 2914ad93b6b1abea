using DepMap.Core.Spans;
using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;

namespace DepMap.Storage.Tests.Aggregation;

/// <summary>
/// The traces waiting in memory between runs: what a waiting span costs, and the mark held back
/// before the first waiting span whichever order traces start waiting in.
/// </summary>
[Collection(nameof(PendingTracesTests))]
public class PendingTracesTests
{
    /// <summary>
    /// The service brief's bound of 150 bytes a span waiting to be linked: the memory held after
    /// 20,000 two-span traces are put to wait, in a collection of its own that runs alone, so no
    /// other test allocates meanwhile.
    /// </summary>
    [Fact]
    public void AWaitingSpan_HoldsAtMost150Bytes()
    {
        var traces = Enumerable.Range(1, 20_000).Select(i => Trace(i, firstRowId: i * 2L)).ToList();
        var record = SpanCodec.Encode(traces[0].Spans[0].Span).Length;

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var pending = new PendingTraces(maxSpans: 1_000_000);
        foreach (var trace in traces)
        {
            pending.Add(trace);
        }
        var perSpan = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)(traces.Count * 2);
        GC.KeepAlive(traces);

        Assert.True(record >= 60, $"the spans encode to {record} bytes: the test should use spans of a realistic size");
        Assert.True(perSpan <= 150, $"{perSpan:F0} bytes a waiting span ({record} of them its record)");
        Assert.Equal(20_000, pending.Count);
    }

    [Fact]
    public void TheMark_StaysBeforeTheFirstWaitingSpan_AndMovesOnWhenItsTraceIsTakenOut()
    {
        var pending = new PendingTraces();
        // A trace taken in again after a restart may start waiting after traces with later spans.
        pending.Add(Trace(1, firstRowId: 30));
        pending.Add(Trace(2, firstRowId: 12));
        pending.Add(Trace(3, firstRowId: 20));

        var held = pending.DurableMark(takenInUpTo: 40);
        var second = pending.Take(2);
        var afterTake = pending.DurableMark(takenInUpTo: 40);
        second!.Spans.Add(new StoredSpan(41, 1_000, Client(2)));
        pending.Add(second);
        var afterReAdd = pending.DurableMark(takenInUpTo: 41);
        pending.Take(1);
        pending.Take(2);
        pending.Take(3);

        Assert.Equal((11L, 19L, 11L), (held, afterTake, afterReAdd));
        Assert.Equal(50, pending.DurableMark(takenInUpTo: 50));
        Assert.Equal(0, pending.Count);
    }

    /// <summary>Runs alone, after the tests that run in parallel: a memory figure of the whole process.</summary>
    [CollectionDefinition(nameof(PendingTracesTests), DisableParallelization = true)]
    public sealed class RunsAlone;

    private static PendingTrace Trace(int trace, long firstRowId) =>
        new(trace, null, [new StoredSpan(firstRowId, 1_000, Client(trace)), new StoredSpan(firstRowId + 1, 1_000, Client(trace) with { SpanId = 2, ParentId = 1 })], 1_000);

    // About the size of a stored span from the load generator (docs/benchmarks.md: 73.6 bytes encoded on average).
    private static Span Client(int trace) => new()
    {
        TraceId = new TraceId(0x4bf92f3577b34da6, (ulong)trace),
        SpanId = 0x00f067aa0ba902b7,
        ParentId = 0x53995c3f42cd8ad8,
        Kind = SpanKind.Client,
        LocalService = "checkout",
        Name = "POST /payments/charge",
        StartUnixNano = 1_735_689_600_123_456_789,
        DurationNano = 20_345_678,
        ServerAddress = "payments.internal",
        ServerPort = 8080,
        HttpResponseStatusCode = 200,
    };
}

using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;
using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace DepMap.Storage.Tests.Aggregation;

/// <summary>
/// The SQLite engine on its own, without the host: spans stored as ingest stores them, runs through
/// <see cref="IAggregationEngine"/>, statistics read back from the same file.
/// </summary>
public class SqliteAggregationEngineTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long ReceivedAt = Start.AddMinutes(1).ToUnixTimeMilliseconds();
    private static readonly EdgeKey CheckoutToPayments = new("checkout", "payments", ConnectionType.None);

    [Fact]
    public async Task Run_CommitsEachBatchAndTellsItOnceCommitted_WhenFlushing()
    {
        using var database = new TempDatabase();
        database.Append(Traces(3), ReceivedAt);
        var faults = new AggregationFaults();
        var commits = new List<int>();
        faults.BeforeCommit = commits.Add;
        var told = new List<long>();

        // Two spans a batch: each trace is whole in its batch, so each batch links one.
        var totals = await Engine(database, faults).RunAsync(Flush(batchSize: 2), calls => told.Add(calls.Series[CheckoutToPayments].Calls), CancellationToken.None);

        Assert.Equal(new AggregationTotals(6, 3), totals);
        Assert.Equal([1, 2, 3], commits);
        Assert.Equal([1L, 1L, 1L], told);
        Assert.Equal(3, await CallsAsync(database));
    }

    [Fact]
    public async Task Run_KeepsWhatCommittedAndLinksTheRestOnce_WhenStoppedBeforeABatchCommit()
    {
        using var database = new TempDatabase();
        database.Append(Traces(3), ReceivedAt);
        var faults = new AggregationFaults { BeforeCommit = batch => { if (batch == 2) { throw new InvalidOperationException("killed"); } } };
        var told = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => Engine(database, faults).RunAsync(Flush(batchSize: 2), _ => told++, CancellationToken.None));
        var afterKill = await CallsAsync(database);
        var toldBeforeRerun = told;
        faults.BeforeCommit = null;
        var rerun = await Engine(database, faults).RunAsync(Flush(batchSize: 2), _ => told++, CancellationToken.None);

        Assert.Equal((1L, 1), (afterKill, toldBeforeRerun));
        Assert.Equal(new AggregationTotals(4, 2), rerun);
        Assert.Equal(3, await CallsAsync(database));
    }

    [Fact]
    public async Task Run_LinksCompleteTracesAtOnce_BeforeTheirGraceHasPassed()
    {
        using var database = new TempDatabase();
        database.Append(Traces(3), ReceivedAt);
        var told = 0;

        // The grace point is before the spans arrived: only completeness can let them be linked.
        var totals = await Engine(database).RunAsync(new AggregationRun(ReceivedAt, ReceivedAt - 1, 100), _ => told++, CancellationToken.None);

        Assert.Equal(new AggregationTotals(6, 3), totals);
        Assert.Equal(1, told);
        Assert.Equal(3, await CallsAsync(database));
    }

    [Fact]
    public async Task Run_LetsAnIncompleteTraceWaitOutItsGrace_ThenTheSweepLinksItWithoutAnotherSpan()
    {
        using var database = new TempDatabase();
        // Only the client spans: each waits for its server's span.
        database.Append(Traces(3).Where(s => s.Kind == SpanKind.Client), ReceivedAt);
        var told = 0;
        var engine = Engine(database);

        var early = await engine.RunAsync(new AggregationRun(ReceivedAt, ReceivedAt - 1, 100), _ => told++, CancellationToken.None);
        var callsEarly = await CallsAsync(database);
        // No span came since: only the run's sweep of pending traces can link them.
        var expired = await engine.RunAsync(new AggregationRun(ReceivedAt + 10_000, ReceivedAt, 100), _ => told++, CancellationToken.None);

        Assert.Equal((3L, 0L, ReceivedAt), (early.SpansTakenIn, early.TracesLinked, early.PendingSinceUnixMs));
        Assert.Equal(0, callsEarly);
        Assert.Equal(new AggregationTotals(0, 3), expired);
        Assert.Equal(1, told);
        Assert.Equal(0, await CallsAsync(database));
        await using var db = database.Open();
        Assert.Equal(3, (await TraceRunRows.ReadCurrentAsync(db)).Count(t => !t.Pending && t.LinkedSpanCount == 1));
    }

    /// <summary>
    /// A trace waiting in memory holds the stored mark back before its spans, so a new process (a
    /// new engine) takes them in again; the spans of a trace linked after it, taken in again too, are
    /// known by its row and not counted twice.
    /// </summary>
    [Fact]
    public async Task Run_AfterARestart_TakesAWaitingTraceInAgain_AndCountsTheTracesLinkedMeanwhileOnce()
    {
        using var database = new TempDatabase();
        var spans = Traces(2).ToList();
        // The second trace's client span first, alone (its server span never comes), then the whole first trace.
        database.Append([spans[2], spans[0], spans[1]], ReceivedAt);

        var beforeRestart = await Engine(database).RunAsync(new AggregationRun(ReceivedAt, ReceivedAt - 1, 100), _ => { }, CancellationToken.None);
        var restarted = Engine(database);
        var takenInAgain = await restarted.RunAsync(new AggregationRun(ReceivedAt, ReceivedAt - 1, 100), _ => { }, CancellationToken.None);
        var callsAfterRestart = await CallsAsync(database);
        var expired = await restarted.RunAsync(new AggregationRun(ReceivedAt + 10_000, ReceivedAt, 100), _ => { }, CancellationToken.None);

        Assert.Equal((3L, 1L), (beforeRestart.SpansTakenIn, beforeRestart.TracesLinked));
        Assert.Equal((3L, 0L, ReceivedAt), (takenInAgain.SpansTakenIn, takenInAgain.TracesLinked, takenInAgain.PendingSinceUnixMs));
        Assert.Equal(1, callsAfterRestart);
        Assert.Equal(new AggregationTotals(0, 1), expired);
        Assert.Equal(1, await CallsAsync(database));
        await using var db = database.Open();
        Assert.Equal([1, 2], (await TraceRunRows.ReadCurrentAsync(db)).Where(t => !t.Pending).OrderBy(t => t.LinkedSpanCount).Select(t => t.LinkedSpanCount).ToList());
    }

    [Fact]
    public async Task Run_RelinksByTheDifference_WhenTheMissingSpanArrivesAfterTheGrace()
    {
        using var database = new TempDatabase();
        var spans = Traces(1).ToList();
        database.Append([spans[0]], ReceivedAt);

        await Engine(database).RunAsync(new AggregationRun(ReceivedAt + 10_000, ReceivedAt, 100), _ => { }, CancellationToken.None);
        database.Append([spans[1]], ReceivedAt + 20_000);
        var late = await Engine(database).RunAsync(new AggregationRun(ReceivedAt + 20_000, ReceivedAt + 19_999, 100), _ => { }, CancellationToken.None);

        Assert.Equal(new AggregationTotals(1, 1), late);
        Assert.Equal(1, await CallsAsync(database));
    }

    /// <summary>
    /// A late span finds its trace's row through the filter of traces with rows: in the process that
    /// wrote the row, and in one whose last commit is no longer the stored mark because another
    /// process on the same file linked that trace meanwhile (its filter cannot know that row). A
    /// trace not found would be linked with its late span alone, its row rewritten with one span.
    /// </summary>
    [Fact]
    public async Task Run_FindsTheRowOfALateSpansTrace_InTheProcessThatWroteIt_AndAfterAnotherProcessWroteOne()
    {
        using var database = new TempDatabase();
        var spans = Traces(2).ToList();
        var first = Engine(database);
        database.Append([spans[0]], ReceivedAt);
        await first.RunAsync(new AggregationRun(ReceivedAt + 10_000, ReceivedAt, 100), _ => { }, CancellationToken.None);
        database.Append([spans[1]], ReceivedAt + 20_000);
        var lateInTheSameProcess = await first.RunAsync(new AggregationRun(ReceivedAt + 30_000, ReceivedAt + 20_000, 100), _ => { }, CancellationToken.None);

        database.Append([spans[2]], ReceivedAt + 40_000);
        await Engine(database).RunAsync(new AggregationRun(ReceivedAt + 50_000, ReceivedAt + 40_000, 100), _ => { }, CancellationToken.None);
        database.Append([spans[3]], ReceivedAt + 60_000);
        var lateAfterAnotherProcess = await first.RunAsync(new AggregationRun(ReceivedAt + 70_000, ReceivedAt + 60_000, 100), _ => { }, CancellationToken.None);

        Assert.Equal(new AggregationTotals(1, 1), lateInTheSameProcess);
        Assert.Equal(new AggregationTotals(1, 1), lateAfterAnotherProcess);
        Assert.Equal(2, await CallsAsync(database));
        await using var db = database.Open();
        Assert.Equal([2, 2], (await TraceRunRows.ReadCurrentAsync(db)).Select(t => t.LinkedSpanCount).ToList());
    }

    /// <summary>
    /// A span sent again and again (a retried or replayed batch) is kept once: while its trace waits
    /// in memory for more (in batches of one, and of two where a batch holds two copies), memory
    /// holds one copy, so a trace that fits once does not spill into its row; once linked, copies of
    /// its spans change neither its row nor the statistics, and need no re-link.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Run_KeepsOneCopyOfASpanSentAgain_WhileItsTraceWaitsAndOnceItIsLinked(int batchSize)
    {
        using var database = new TempDatabase();
        var engine = new SqliteAggregationEngine(database.Options, NullLogger<SqliteAggregationEngine>.Instance, pending: new PendingTraces(maxSpans: 1));
        var (client, server) = (Traces(1).First(), Traces(1).Last());
        // The client's answer has not arrived and the grace has not passed: the trace waits.
        database.Append(Enumerable.Repeat(client, 4), ReceivedAt);
        await engine.RunAsync(new AggregationRun(ReceivedAt + 10, ReceivedAt - 1_000, batchSize), _ => { }, CancellationToken.None);
        await using (var db = database.Open())
        {
            Assert.Empty(await TraceRunRows.ReadCurrentAsync(db));
        }

        database.Append([server], ReceivedAt + 1_000);
        await engine.RunAsync(new AggregationRun(ReceivedAt + 1_010, ReceivedAt, batchSize), _ => { }, CancellationToken.None);
        database.Append([client, client], ReceivedAt + 2_000);
        var again = await engine.RunAsync(new AggregationRun(ReceivedAt + 2_010, ReceivedAt + 1_000, batchSize), _ => { }, CancellationToken.None);

        Assert.Equal(new AggregationTotals(2, 0), again);
        Assert.Equal(1, await CallsAsync(database));
        await using var read = database.Open();
        var row = Assert.Single(await TraceRunRows.ReadCurrentAsync(read));
        Assert.Equal((2, 2, false), (row.SpanCount, row.LinkedSpanCount, row.Pending));
    }

    private static SqliteAggregationEngine Engine(TempDatabase database, AggregationFaults? faults = null) =>
        new(database.Options, NullLogger<SqliteAggregationEngine>.Instance, faults);

    private static AggregationRun Flush(int batchSize) => new(ReceivedAt, null, batchSize);

    private static async Task<long> CallsAsync(TempDatabase database)
    {
        await using var db = database.Open();
        var statistics = await db.ReadGraphStatisticsAsync(Start.AddHours(-1), Start.AddHours(1));
        return statistics.Edges.TryGetValue(CheckoutToPayments, out var edge) ? edge.CallCount : 0;
    }

    /// <summary>Traces of checkout calling payments, each a client span and its server span, stored in trace order.</summary>
    private static IEnumerable<Span> Traces(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var trace = new TraceId(0, (ulong)i);
            var start = (Start.ToUnixTimeMilliseconds() + i * 1_000) * 1_000_000;
            yield return new Span { TraceId = trace, SpanId = 1, Kind = SpanKind.Client, LocalService = "checkout", Name = "charge", StartUnixNano = start, DurationNano = 20_000_000 };
            yield return new Span { TraceId = trace, SpanId = 2, ParentId = 1, Kind = SpanKind.Server, LocalService = "payments", Name = "charge", StartUnixNano = start + 1_000_000, DurationNano = 10_000_000 };
        }
    }
}

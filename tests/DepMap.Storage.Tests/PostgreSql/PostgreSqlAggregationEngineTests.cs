using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Core.Statistics;
using DepMap.Storage.Aggregation;
using DepMap.Storage.PostgreSql.Aggregation;
using DepMap.Tests.Shared.PostgreSql;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DepMap.Storage.Tests.PostgreSql;

/// <summary>
/// The PostgreSQL engine against a real server: exactly once with concurrent writers (the
/// late committer), with concurrent runs, and with a run killed mid-batch.
/// </summary>
public class PostgreSqlAggregationEngineTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long ReceivedAt = Start.AddMinutes(1).ToUnixTimeMilliseconds();
    private static readonly EdgeKey CheckoutToPayments = new("checkout", "payments", ConnectionType.None);

    // The interleaving an id mark gets wrong: A takes the lower span ids but commits last. B's
    // transaction id is the lower one (it wrote first), so B's spans are below the oldest running
    // transaction (A) and are taken in while A is open; A's come after the new mark in (tx, id)
    // order. With a mark over ids alone the first run moves past A's ids and never links them:
    // checked by making the store's reads compare ids only (no (tx, id) order, no xmin bound), when
    // the second run took in 0 spans and linked nothing, failing the test (2026-12-04).
    [Fact]
    public async Task Run_LinksALateCommittersSpansOnce_WhenALaterSpanWasLinkedBeforeItsCommit()
    {
        await using var fresh = await PostgresSpans.FreshAsync();
        var database = fresh.Database;
        await using var a = await database.ConnectAsync();
        await using var b = await database.ConnectAsync();
        await using var transactionB = await b.BeginTransactionAsync();
        await ScalarAsync(b, "SELECT pg_current_xact_id()");
        await using var transactionA = await a.BeginTransactionAsync();
        await PostgresSpans.AppendAsync(a, Trace(1), ReceivedAt);
        await PostgresSpans.AppendAsync(b, Trace(2), ReceivedAt);
        await transactionB.CommitAsync();

        var first = await Engine(database).RunAsync(Recurring(), _ => { }, CancellationToken.None);
        var afterFirst = await CallsAsync(database);
        await transactionA.CommitAsync();
        var second = await Engine(database).RunAsync(Recurring(), _ => { }, CancellationToken.None);

        Assert.True(await ScalarAsync(a, "SELECT max(id) FROM spans WHERE trace_id_low = 1") < await ScalarAsync(a, "SELECT min(id) FROM spans WHERE trace_id_low = 2"));
        Assert.Equal((new AggregationTotals(2, 1), 1L), (first, afterFirst));
        Assert.Equal(new AggregationTotals(2, 1), second);
        Assert.Equal(2, await CallsAsync(database));
    }

    // The other order: A wrote first and is still open, so nothing at or above its transaction id
    // may pass the mark yet, B's committed spans included; they wait for A, then both are linked.
    [Fact]
    public async Task Run_WaitsForAnOlderOpenTransaction_BeforeTakingInLaterCommittedSpans()
    {
        await using var fresh = await PostgresSpans.FreshAsync();
        var database = fresh.Database;
        await using var a = await database.ConnectAsync();
        await using var transactionA = await a.BeginTransactionAsync();
        await PostgresSpans.AppendAsync(a, Trace(1), ReceivedAt);
        await using (var b = await database.ConnectAsync())
        {
            await using var transactionB = await b.BeginTransactionAsync();
            await PostgresSpans.AppendAsync(b, Trace(2), ReceivedAt);
            await transactionB.CommitAsync();
        }

        var whileOpen = await Engine(database).RunAsync(Recurring(), _ => { }, CancellationToken.None);
        await transactionA.CommitAsync();
        var afterCommit = await Engine(database).RunAsync(Recurring(), _ => { }, CancellationToken.None);

        Assert.Equal(new AggregationTotals(0, 0), whileOpen);
        Assert.Equal(new AggregationTotals(4, 2), afterCommit);
        Assert.Equal(2, await CallsAsync(database));
    }

    // The bound is this database's oldest running transaction, not the server's: a transaction
    // open in another database (a report, a dump, another test) that began before these spans were
    // written holds nothing back. Bounded by pg_snapshot_xmin, as before, this run took in 0 spans.
    [Fact]
    public async Task Run_TakesInCommittedSpans_WhileATransactionOfAnotherDatabaseIsOpen()
    {
        await using var fresh = await PostgresSpans.FreshAsync();
        var database = fresh.Database;
        await using var elsewhere = new NpgsqlConnection(PostgresDatabase.ServerConnectionString());
        await elsewhere.OpenAsync();
        await using var report = await elsewhere.BeginTransactionAsync();
        var reportXid = await ScalarAsync(elsewhere, "SELECT pg_current_xact_id()::text::bigint");
        await using (var a = await database.ConnectAsync())
        {
            await PostgresSpans.AppendAsync(a, Trace(1), ReceivedAt);
            Assert.True(await ScalarAsync(a, "SELECT min(tx)::text::bigint FROM spans") > reportXid);
        }

        var totals = await Engine(database).RunAsync(Recurring(), _ => { }, CancellationToken.None);

        Assert.Equal(new AggregationTotals(2, 1), totals);
        Assert.Equal(1, await CallsAsync(database));
    }

    // A flush links every span acknowledged before it began: a transaction that was running when it
    // started (another instance's ingest commit) is waited for, not left to the next run.
    [Fact]
    public async Task Flush_LinksTheSpansOfATransactionRunningWhenItBegan_OnceThatCommits()
    {
        await using var fresh = await PostgresSpans.FreshAsync();
        var database = fresh.Database;
        await using var a = await database.ConnectAsync();
        await using var transactionA = await a.BeginTransactionAsync();
        await PostgresSpans.AppendAsync(a, Trace(1), ReceivedAt);

        var flush = Task.Run(() => Engine(database).RunAsync(Flush(100), _ => { }, CancellationToken.None));
        await Task.Delay(300);
        var finishedBeforeCommit = flush.IsCompleted;
        await transactionA.CommitAsync();
        var totals = await flush;

        Assert.False(finishedBeforeCommit);
        Assert.Equal(new AggregationTotals(2, 1), totals);
        Assert.Equal(1, await CallsAsync(database));
    }

    [Fact]
    public async Task Runs_CountEachSpanOnce_WhenTwoEnginesFlushTheSameDatabaseAtOnce()
    {
        await using var fresh = await PostgresSpans.FreshAsync();
        var database = fresh.Database;
        await database.AppendAsync(Traces(1, 40), ReceivedAt);

        var runs = await Task.WhenAll(
            Task.Run(() => Engine(database).RunAsync(Flush(6), _ => { }, CancellationToken.None)),
            Task.Run(() => Engine(database).RunAsync(Flush(6), _ => { }, CancellationToken.None)));

        Assert.Equal(80, runs.Sum(r => r.SpansTakenIn));
        Assert.Equal(40, runs.Sum(r => r.TracesLinked));
        Assert.Equal(40, await CallsAsync(database));
    }

    [Fact]
    public async Task RecurringRun_ReturnsAtOnce_WhileAnotherInstancesRunHoldsTheLock()
    {
        await using var fresh = await PostgresSpans.FreshAsync();
        var database = fresh.Database;
        await database.AppendAsync(Traces(1, 3), ReceivedAt);
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var faults = new AggregationFaults { BeforeCommit = _ => { holding.Set(); release.Wait(); } };

        var first = Task.Run(() => Engine(database, faults).RunAsync(Flush(100), _ => { }, CancellationToken.None));
        holding.Wait();
        var recurring = await Engine(database).RunAsync(new AggregationRun(ReceivedAt + 60_000, ReceivedAt, 100), _ => { }, CancellationToken.None);
        var flush = Task.Run(() => Engine(database).RunAsync(Flush(100), _ => { }, CancellationToken.None));
        var flushWaited = !flush.IsCompleted;
        release.Set();

        Assert.Equal(new AggregationTotals(0, 0, Deferred: true), recurring);
        Assert.True(flushWaited);
        Assert.Equal(new AggregationTotals(6, 3), await first);
        Assert.Equal(new AggregationTotals(0, 0), await flush);
        Assert.Equal(3, await CallsAsync(database));
    }

    // As a SIGKILL would: the server ends the run's sessions while its second batch's transaction
    // is open. That batch rolls back, the advisory lock goes with the session, and a fresh run on
    // another engine takes the lock and links the rest once.
    [Fact]
    public async Task Run_KeepsWhatCommittedAndLinksTheRestOnce_WhenItsSessionsAreKilledMidBatch()
    {
        await using var fresh = await PostgresSpans.FreshAsync();
        var database = fresh.Database;
        await database.AppendAsync(Traces(1, 3), ReceivedAt);
        await using var killer = await database.ConnectAsync();
        var faults = new AggregationFaults
        {
            BeforeCommit = batch =>
            {
                if (batch == 2)
                {
                    using var kill = new NpgsqlCommand(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", killer);
                    kill.ExecuteScalar();
                }
            },
        };

        await Assert.ThrowsAnyAsync<Exception>(() => Engine(database, faults).RunAsync(Flush(2), _ => { }, CancellationToken.None));
        // The kill also ended this test's idle pooled sessions; an instance that was not killed has its own pool.
        NpgsqlConnection.ClearAllPools();
        var afterKill = await CallsAsync(database);
        var rerun = await Engine(database).RunAsync(Flush(2), _ => { }, CancellationToken.None);

        Assert.Equal(1, afterKill);
        Assert.Equal(new AggregationTotals(4, 2), rerun);
        Assert.Equal(3, await CallsAsync(database));
    }

    [Fact]
    public async Task Run_LinksACompleteTraceAndLetsAnIncompleteOneWaitOutItsGrace()
    {
        await using var fresh = await PostgresSpans.FreshAsync();
        var database = fresh.Database;
        await database.AppendAsync(Trace(1), ReceivedAt);
        await database.AppendAsync(Trace(2).Take(1), ReceivedAt + 10_000);

        var settled = await Engine(database).RunAsync(new AggregationRun(ReceivedAt + 20_000, ReceivedAt + 5_000, 100), _ => { }, CancellationToken.None);
        await database.AppendAsync(Trace(2).Skip(1), ReceivedAt + 20_000);
        var later = await Engine(database).RunAsync(new AggregationRun(ReceivedAt + 60_000, ReceivedAt + 30_000, 100), _ => { }, CancellationToken.None);

        // Trace 2's first span is taken in and waits (pending): its grace runs to ReceivedAt + 10 s + the grace.
        Assert.Equal(new AggregationTotals(3, 1) { PendingSinceUnixMs = ReceivedAt + 10_000 }, settled);
        Assert.Equal(new AggregationTotals(1, 1), later);
        Assert.Equal(2, await CallsAsync(database));
    }

    [Fact]
    public async Task Run_SweepsAnIncompleteTraceWhoseGraceEnded_WithNoSpanToTakeIn()
    {
        await using var fresh = await PostgresSpans.FreshAsync();
        var database = fresh.Database;
        await database.AppendAsync(Trace(1).Take(1), ReceivedAt);

        var within = await Engine(database).RunAsync(new AggregationRun(ReceivedAt + 1_000, ReceivedAt - 9_000, 100), _ => { }, CancellationToken.None);
        var told = 0;
        var swept = await Engine(database).RunAsync(new AggregationRun(ReceivedAt + 10_100, ReceivedAt + 100, 100), _ => told++, CancellationToken.None);
        var again = await Engine(database).RunAsync(new AggregationRun(ReceivedAt + 20_000, ReceivedAt + 10_000, 100), _ => { }, CancellationToken.None);

        Assert.Equal(new AggregationTotals(1, 0) { PendingSinceUnixMs = ReceivedAt }, within);
        // The mark does not move: the sweep commits comparing it unchanged.
        Assert.Equal((new AggregationTotals(0, 1), 1), (swept, told));
        Assert.Equal(new AggregationTotals(0, 0), again);
    }

    [Fact]
    public async Task Backlog_StartsAtTheFirstSpanPastTheMark_AndIsEmptyOnceLinked()
    {
        await using var fresh = await PostgresSpans.FreshAsync();
        var database = fresh.Database;
        await database.AppendAsync(Trace(1), ReceivedAt);
        // Incomplete (its server's span is missing): it waits out its grace.
        await database.AppendAsync(Trace(2).Take(1), ReceivedAt + 5_000);

        var before = await Engine(database).ReadBacklogAsync(CancellationToken.None);
        await Engine(database).RunAsync(new AggregationRun(ReceivedAt + 20_000, ReceivedAt + 1_000, 100), _ => { }, CancellationToken.None);
        var between = await Engine(database).ReadBacklogAsync(CancellationToken.None);
        await Engine(database).RunAsync(Flush(100), _ => { }, CancellationToken.None);
        var after = await Engine(database).ReadBacklogAsync(CancellationToken.None);

        Assert.Equal(new AggregationBacklog(ReceivedAt, 0), before);
        Assert.Equal(new AggregationBacklog(ReceivedAt + 5_000, 1), between);
        Assert.Equal(new AggregationBacklog(null, 0), after);
    }

    internal static PostgreSqlAggregationEngine Engine(PostgresDatabase database, AggregationFaults? faults = null) =>
        new(database.Options, NullLogger<PostgreSqlAggregationEngine>.Instance, faults);

    private static AggregationRun Flush(int batchSize) => new(ReceivedAt, null, batchSize);

    // A recurring run whose settle point every span has passed: it takes in what the bound allows
    // at once (a flush would first wait for the open transaction, see the test below).
    private static AggregationRun Recurring() => new(ReceivedAt + 60_000, ReceivedAt + 60_000, 100);

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<long> CallsAsync(PostgresDatabase database)
    {
        await using var db = database.Open();
        var statistics = await db.ReadGraphStatisticsAsync(Start.AddHours(-1), Start.AddHours(1));
        return statistics.Edges.TryGetValue(CheckoutToPayments, out var edge) ? edge.CallCount : 0;
    }

    private static IEnumerable<Span> Traces(int first, int count) => Enumerable.Range(first, count).SelectMany(Trace);

    /// <summary>Checkout calling payments: a client span and its server span.</summary>
    private static IEnumerable<Span> Trace(int i)
    {
        var trace = new TraceId(0, (ulong)i);
        var start = (Start.ToUnixTimeMilliseconds() + i * 1_000) * 1_000_000;
        yield return new Span { TraceId = trace, SpanId = 1, Kind = SpanKind.Client, LocalService = "checkout", Name = "charge", StartUnixNano = start, DurationNano = 20_000_000 };
        yield return new Span { TraceId = trace, SpanId = 2, ParentId = 1, Kind = SpanKind.Server, LocalService = "payments", Name = "charge", StartUnixNano = start + 1_000_000, DurationNano = 10_000_000 };
    }
}

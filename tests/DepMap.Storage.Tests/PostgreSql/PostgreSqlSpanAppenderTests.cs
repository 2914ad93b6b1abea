using DepMap.Core.Spans;
using DepMap.Storage.PostgreSql.Spans;
using DepMap.Storage.Spans;
using DepMap.Tests.Shared.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static DepMap.Tests.Shared.PostgreSql.PostgresCommands;

namespace DepMap.Storage.Tests.PostgreSql;

public class PostgreSqlSpanAppenderTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    // 2026-03-04T05:06:07Z; each test writes its own day, so the class's tests stay independent.
    private const long Day = SpanPartitions.DayMs;
    private const long At = 1_772_600_767_000;

    [Fact]
    public async Task Append_StoresEverySpanInOneTransaction_InTheDayPartition()
    {
        using var appender = new PostgreSqlSpanAppender(database.ConnectionString);
        EncodedSpan[] first = [Encoded(1, "a"), Encoded(1, "b")];
        EncodedSpan[] second = [Encoded(2, "c")];

        appender.Append([first, second], At);

        await using var db = database.Open();
        var rows = await db.Spans.AsNoTracking().Where(s => s.ReceivedAtUnixMs == At).OrderBy(s => s.Id).ToListAsync();
        Assert.Equal(["a", "b", "c"], rows.Select(r => r.ToSpan().Name));
        Assert.Equal([1L, 1L, 2L], rows.Select(r => r.TraceIdLow));
        await using var connection = await database.ConnectAsync();
        Assert.Equal(3, await CountAsync(connection, $"SELECT count(*) FROM spans_20260304 WHERE received_at_unix_ms = {At}"));
        // One commit, one writing transaction: the aggregation's mark moves past all of it at once.
        Assert.Equal(1, await CountAsync(connection, $"SELECT count(DISTINCT tx) FROM spans WHERE received_at_unix_ms = {At}"));
        // The next day's partition is there before the day starts.
        Assert.Equal(1, await CountAsync(connection, "SELECT count(*) FROM pg_class WHERE relname = 'spans_20260305'"));
    }

    // Two instances reaching a new day at once: both ask for its partition inside their commits.
    // The one that waits on the advisory lock used to miss the other's new table and fail its
    // commit with 42P07 "already exists".
    [Fact]
    public async Task TwoAppenders_ReachingANewDayAtOnce_BothCommit()
    {
        // A database of its own: the class's shared one counts its days' rows in other tests.
        await using var own = new PostgresDatabase();
        await own.InitializeAsync();
        for (var day = 0; day < 8; day++)
        {
            var at = At + (100 + day) * Day;
            using var first = new PostgreSqlSpanAppender(own.ConnectionString);
            using var second = new PostgreSqlSpanAppender(own.ConnectionString);
            await Task.WhenAll(
                Task.Run(() => first.Append([[Encoded((ulong)(10 + day), "first")]], at)),
                Task.Run(() => second.Append([[Encoded((ulong)(20 + day), "second")]], at)));

            await using var connection = await own.ConnectAsync();
            Assert.Equal(2, await CountAsync(connection, $"SELECT count(*) FROM {SpanPartitions.Name(SpanPartitions.DayStart(at))} WHERE received_at_unix_ms = {at}"));
        }
    }

    [Fact]
    public async Task Append_Reconnects_WhenTheServerClosedItsConnection()
    {
        const long at = At + 10 * Day;
        using var appender = new PostgreSqlSpanAppender(database.ConnectionString);
        appender.Append([[Encoded(3, "before")]], at);
        await using (var server = await database.ConnectAsync())
        await using (var kill = new NpgsqlCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", server))
        {
            await kill.ExecuteNonQueryAsync();
        }

        // The commit that meets the dead connection fails and stores nothing; the next one reconnects.
        Assert.ThrowsAny<NpgsqlException>(() => appender.Append([[Encoded(3, "lost")]], at));
        appender.Append([[Encoded(3, "after")]], at);

        await using var db = database.Open();
        var names = await db.Spans.AsNoTracking().Where(s => s.ReceivedAtUnixMs == at).OrderBy(s => s.Id).ToListAsync();
        Assert.Equal(["before", "after"], names.Select(r => r.ToSpan().Name));
    }

    [Fact]
    public async Task DropBefore_DropsWholeDaysTheAggregationHasTakenIn_AndKeepsTheRest()
    {
        const long old = At + 20 * Day;
        using var appender = new PostgreSqlSpanAppender(database.ConnectionString);
        appender.Append([[Encoded(4, "day 1")]], old);
        appender.Append([[Encoded(4, "day 2")]], old + Day);
        appender.Append([[Encoded(4, "day 3, not taken in")]], old + 2 * Day);
        await using var connection = await database.ConnectAsync();
        // The aggregation's mark stands just past day 2's commit.
        await ExecuteAsync(connection,
            $"INSERT INTO aggregation_mark (id, last_tx, last_span_id) SELECT 1, tx, id FROM spans WHERE received_at_unix_ms = {old + Day} " +
            "ON CONFLICT (id) DO UPDATE SET last_tx = excluded.last_tx, last_span_id = excluded.last_span_id");

        var dropped = await SpanPartitions.DropBeforeAsync(connection, old + 10 * Day, CancellationToken.None);

        var left = (await SpanPartitions.ListAsync(connection, CancellationToken.None)).Select(p => p.Name).ToList();
        Assert.DoesNotContain("spans_20260324", left);
        Assert.DoesNotContain("spans_20260325", left);
        Assert.Contains("spans_20260326", left);
        Assert.True(dropped >= 2);
        Assert.Equal(1, await CountAsync(connection, $"SELECT count(*) FROM spans WHERE received_at_unix_ms >= {old}"));
    }

    [Fact]
    public async Task DropBefore_KeepsEverything_WhenTheAggregationHasNoMarkYet()
    {
        await using var empty = new PostgresDatabase();
        await empty.InitializeAsync();
        using (var appender = new PostgreSqlSpanAppender(empty.ConnectionString))
        {
            appender.Append([[Encoded(5, "old")]], At);
        }
        await using var connection = await empty.ConnectAsync();

        Assert.Equal(0, await SpanPartitions.DropBeforeAsync(connection, At + 30 * Day, CancellationToken.None));
        Assert.Equal(1, await CountAsync(connection, "SELECT count(*) FROM spans"));
    }

    private static EncodedSpan Encoded(ulong traceLow, string name) => EncodedSpan.From(new Span
    {
        TraceId = new TraceId(0, traceLow),
        SpanId = 1,
        Name = name,
        LocalService = "svc",
        Kind = SpanKind.Server,
        StartUnixNano = 1,
        DurationNano = 1,
    });
}

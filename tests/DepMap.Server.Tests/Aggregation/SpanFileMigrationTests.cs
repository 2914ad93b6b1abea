using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>
/// Spans used to live in the database file itself. The upgrade moves them into the span file, ids
/// and all, and new spans continue above the highest id ever given: the aggregation's mark is an id.
/// </summary>
[Trait("Provider", "Sqlite")]
public class SpanFileMigrationTests
{
    private const string LastMigrationWithSpansInTheDatabase = "20261125180000_LinkFromSpanTable";

    [Fact]
    public async Task Upgrade_MovesTheSpansIntoTheSpanFile_AndNewIdsContinueAboveTheOldOnes()
    {
        var folder = DepMapFactory.NewFolder();
        // Ids 1-12. Retention then deletes the first six, and the last one goes too, so the highest
        // id ever given (12) is only in SQLite's AUTOINCREMENT counter.
        var connection = await EarlierDatabase.CreateAsync(folder, LastMigrationWithSpansInTheDatabase, appends: 2);
        Execute(connection, "DELETE FROM main.spans WHERE id <= 6 OR id = 12;");

        using var upgraded = new AggregationFactory(folder: folder, ownsFolder: true);
        var movedIds = await upgraded.WithDbAsync(db => db.Spans.OrderBy(s => s.Id).Select(s => s.Id).ToListAsync());
        var mainSpanTables = Scalar(connection, "SELECT count(*) FROM main.sqlite_master WHERE name = 'spans';");
        await upgraded.WithDbAsync(db => db.Spans.ExecuteDeleteAsync());
        await AggregationTests.PostOtlpJsonAsync(upgraded, ExampleTraces.Otlp());
        var newIds = await upgraded.WithDbAsync(db => db.Spans.OrderBy(s => s.Id).Select(s => s.Id).ToListAsync());
        var inSpanFile = Scalar($"Data Source={upgraded.SpanDatabasePath}", "SELECT count(*) FROM spans;");

        Assert.Equal([7L, 8, 9, 10, 11], movedIds);
        Assert.Equal(0, mainSpanTables);
        Assert.Equal([13L, 14, 15, 16, 17, 18], newIds);
        Assert.Equal(6, inSpanFile);
    }

    [Fact]
    public async Task Restart_NumbersNewSpansAboveTheMark_WhenTheSpanFileWasDeleted()
    {
        var folder = DepMapFactory.NewFolder();
        using (var first = new AggregationFactory(folder: folder, ownsFolder: false))
        {
            await AggregationTests.PostOtlpJsonAsync(first, ExampleTraces.Otlp());
            await first.AggregateAsync();
        }
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(folder, "depmap.spans.db*"))
        {
            File.Delete(file);
        }

        using var restarted = new AggregationFactory(folder: folder, ownsFolder: true);
        await AggregationTests.PostOtlpJsonAsync(restarted, ExampleTraces.Otlp());
        var ids = await restarted.WithDbAsync(db => db.Spans.OrderBy(s => s.Id).Select(s => s.Id).ToListAsync());
        var run = await restarted.SendAsync(new DepMap.Server.Features.Aggregation.AggregateSpans(Flush: true));

        Assert.Equal([7L, 8, 9, 10, 11, 12], ids);
        Assert.Equal((6L, 1L), (run.SpansTakenIn, run.TracesLinked));
    }

    private static void Execute(string connectionString, string sql) => Scalar(connectionString, sql);

    private static long Scalar(string connectionString, string sql)
    {
        using var connection = new SqliteConnection(connectionString + ";Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The span file is a file of its own so that ingest never waits for the aggregation's writes.</summary>
[Trait("Provider", "Sqlite")]
public class SpanFileLockTests
{
    [Theory]
    [InlineData(true, SQLitePCL.raw.SQLITE_OK)]
    [InlineData(false, SQLitePCL.raw.SQLITE_BUSY)]
    public async Task Writer_FindsTheSpanFileFreeAndTheDatabaseLocked_WhileAnAggregationBatchCommits(bool spanFile, int expected)
    {
        using var factory = new AggregationFactory();
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        int? result = null;
        factory.Faults.BeforeCommit = _ =>
        {
            // Inside the batch's transaction, its rows written: a writer that does not wait at all
            // (SQLite's own API: Microsoft.Data.Sqlite would retry a busy statement).
            using var other = new SqliteConnection($"Data Source={(spanFile ? factory.SpanDatabasePath : factory.DatabasePath)};Pooling=False");
            other.Open();
            result = SQLitePCL.raw.sqlite3_exec(other.Handle, "BEGIN IMMEDIATE;");
            SQLitePCL.raw.sqlite3_exec(other.Handle, "ROLLBACK;");
        };

        await factory.AggregateAsync();

        Assert.Equal(expected, result);
    }
}

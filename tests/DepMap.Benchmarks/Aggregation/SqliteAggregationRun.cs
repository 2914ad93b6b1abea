using System.Diagnostics;
using DepMap.Benchmarks.Linking;
using DepMap.Server.Features.Aggregation;
using DepMap.Storage;
using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// End to end through SQLite: appends N synthetic spans to a fresh database with the ingest
/// appender, then times one flush aggregation (intake into trace rows, linking, bucket writes),
/// and reports spans per second and the bytes on disk per stored span.
/// Run: <c>dotnet run -c Release --project tests/DepMap.Benchmarks -- aggregate-sqlite 1000000</c>.
/// </summary>
internal static class SqliteAggregationRun
{
    public static async Task<int> RunAsync(int spans)
    {
        var folder = Path.Combine(Path.GetTempPath(), "depmap-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "depmap.db");
        var connectionString = $"Data Source={path}";
        try
        {
            var options = new DbContextOptionsBuilder<DepMapDbContext>().UseSqlite(connectionString).Options;
            await using (var db = new DepMapDbContext(options))
            {
                DepMapDatabase.Migrate(db);
            }

            var traces = SyntheticTraces.Generate(spans / SyntheticTraces.SpansPerTrace, seed: 7);
            var appendWatch = Stopwatch.StartNew();
            using (var appender = new SqliteSpanAppender(connectionString, SqliteSynchronous.Normal))
            {
                foreach (var chunk in traces.Chunk(512 / SyntheticTraces.SpansPerTrace))
                {
                    appender.Append([chunk.SelectMany(t => t).Select(EncodedSpan.From).ToArray()], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                }
            }
            appendWatch.Stop();
            var stored = traces.Length * SyntheticTraces.SpansPerTrace;
            var beforeAggregation = DatabaseBytes(connectionString);

            await using var context = new DepMapDbContext(options);
            using var gate = new AggregationGate();
            using var progress = new AggregationProgress();
            var handler = new AggregateSpansHandler(context, gate, progress,
                Options.Create(new AggregationOptions()), TimeProvider.System, NullLogger<AggregateSpansHandler>.Instance);
            var watch = Stopwatch.StartNew();
            var result = await handler.Handle(new AggregateSpans(Flush: true), CancellationToken.None);
            watch.Stop();
            var afterAggregation = DatabaseBytes(connectionString);

            Console.WriteLine($"spans appended        {stored:N0} in {appendWatch.Elapsed.TotalSeconds:F2} s ({stored / appendWatch.Elapsed.TotalSeconds:N0} spans/s, synchronous=Normal)");
            Console.WriteLine($"flush aggregation     {result.SpansTakenIn:N0} spans, {result.TracesLinked:N0} traces in {watch.Elapsed.TotalSeconds:F2} s = {result.SpansTakenIn / watch.Elapsed.TotalSeconds:N0} spans/s");
            Console.WriteLine($"disk, raw spans only  {beforeAggregation / (double)stored:F0} bytes/span");
            Console.WriteLine($"disk, after aggregate {afterAggregation / (double)stored:F0} bytes/span (spans + trace rows + statistics)");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The database's size once the WAL is checkpointed into it.</summary>
    private static long DatabaseBytes(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        Scalar(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        return Scalar(connection, "PRAGMA page_count;") * Scalar(connection, "PRAGMA page_size;");
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using DepMap.Core.Spans;
using DepMap.Ingest;
using DepMap.Storage;
using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>A database as an earlier DepMap left it, for the upgrade tests: its spans in its own span table.</summary>
internal static class EarlierDatabase
{
    /// <summary>The example trace's spans.</summary>
    public static IReadOnlyList<Span> Spans => SpanDecoders.Decode(TraceFormat.OtlpJson, ExampleTraces.Otlp()).Spans;

    /// <summary>
    /// Creates <c>depmap.db</c> in <paramref name="folder"/> migrated up to <paramref name="migration"/>,
    /// appends the example's spans <paramref name="appends"/> times to the database's own span table,
    /// lets <paramref name="then"/> add what else that version wrote, and returns the connection string.
    /// </summary>
    public static async Task<string> CreateAsync(string folder, string migration, int appends, Func<DepMapDbContext, Task>? then = null)
    {
        var connection = $"Data Source={Path.Combine(folder, "depmap.db")}";
        var options = new DbContextOptionsBuilder<DepMapDbContext>().UseDepMapSqlite(connection).Options;
        await using (var db = new DepMapDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync(migration);
            using (var appender = new SqliteSpanAppender(connection, SqliteSynchronous.Normal))
            {
                for (var i = 0; i < appends; i++)
                {
                    appender.Append([Spans.Select(EncodedSpan.From).ToArray()], ExampleTraces.Start.ToUnixTimeMilliseconds());
                }
            }
            if (then is not null)
            {
                await then(db);
            }
        }
        SqliteConnection.ClearAllPools();
        return connection;
    }
}

using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace DepMap.Storage.Tests.Aggregation;

public class PagedTraceRunsMigrationTests
{
    /// <summary>
    /// A database whose linked trace rows are in the per-row runs (a trace in two runs, one also waiting
    /// in the by-id table): after the upgrade every trace's current row is the one it was, now in the
    /// by-id table, and the runs' pages start empty.
    /// </summary>
    [Fact]
    public async Task Upgrade_KeepsEveryTracesCurrentRow_OnSqlite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "depmap-storage-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        try
        {
            var options = new DbContextOptionsBuilder<DepMapDbContext>()
                .UseDepMapSqlite($"Data Source={Path.Combine(folder, "depmap.db")};Pooling=false").Options;
            List<string> before;
            await using (var db = new DepMapDbContext(options))
            {
                // The last version that stored a row per trace in its runs.
                await db.GetService<IMigrator>().MigrateAsync("20261204230651_PackedZipkinLinks");
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO trace_runs (run, trace_id_low, spans, span_count, linked_span_count, last_arrival_unix_ms, linked_at_unix_ms) VALUES " +
                    "(1, 1, x'0102', 2, 2, 100, 110), (1, 2, x'03', 1, 1, 100, NULL), (1, -9223372036854775808, x'', 0, 0, 90, 95), " +
                    "(2, 2, x'0304', 2, 2, 200, 210);" +
                    "INSERT INTO traces (trace_id_low, spans, span_count, linked_span_count, pending, last_arrival_unix_ms, linked_at_unix_ms) VALUES " +
                    "(1, x'010205', 3, 2, 1, 300, 110), (3, x'07', 1, 0, 1, 250, NULL);");
                before = await ReadAllAsync(db);
            }

            await using (var db = new DepMapDbContext(options))
            {
                DepMapDatabase.Migrate(db);
                var after = await TraceRunRows.ReadCurrentAsync(db);

                Assert.Equal(
                    ["-9223372036854775808  0 0 False 90 95", "1 010205 3 2 True 300 110", "2 0304 2 2 False 200 210", "3 07 1 0 True 250 "],
                    before.OrderBy(r => r, StringComparer.Ordinal));
                Assert.Equal(before.OrderBy(r => r, StringComparer.Ordinal), after.Select(Text).OrderBy(r => r, StringComparer.Ordinal));
                Assert.Equal(0, await db.Database.SqlQueryRaw<long>($"SELECT count(*) AS \"Value\" FROM {TraceRunRows.Table}").SingleAsync());
                Assert.Equal(0, await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM sqlite_master WHERE name = 'trace_runs'").SingleAsync());
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // Before the upgrade, each trace's current row as the older version read it: the by-id table's, else its newest run's.
    private static async Task<List<string>> ReadAllAsync(DepMapDbContext db) =>
        await db.Database.SqlQueryRaw<string>(
            "SELECT trace_id_low || ' ' || hex(spans) || ' ' || span_count || ' ' || linked_span_count || ' ' || " +
            "CASE pending WHEN 1 THEN 'True' ELSE 'False' END || ' ' || last_arrival_unix_ms || ' ' || coalesce(linked_at_unix_ms, '') AS \"Value\" FROM " +
            "(SELECT trace_id_low, spans, span_count, linked_span_count, pending, last_arrival_unix_ms, linked_at_unix_ms, 0 AS run FROM traces " +
            " UNION ALL SELECT trace_id_low, spans, span_count, linked_span_count, 0, last_arrival_unix_ms, linked_at_unix_ms, run FROM trace_runs WHERE run > 0) AS r " +
            "WHERE NOT EXISTS (SELECT 1 FROM traces t WHERE t.trace_id_low = r.trace_id_low AND r.run > 0) " +
            "AND NOT EXISTS (SELECT 1 FROM trace_runs n WHERE n.trace_id_low = r.trace_id_low AND r.run > 0 AND n.run > r.run) ORDER BY run = 0 DESC, trace_id_low")
            .ToListAsync();

    private static string Text(TraceRow row) =>
        $"{row.TraceIdLow} {Convert.ToHexString(row.Spans)} {row.SpanCount} {row.LinkedSpanCount} {row.Pending} {row.LastArrivalUnixMs} {row.LinkedAtUnixMs}";
}

using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.Migrations.Sqlite
{
    /// <summary>
    /// The linked trace rows' runs in pages of consecutive traces (<see cref="TraceRunPage"/>) instead
    /// of a SQLite row per trace. The stored runs' rows go back into the by-id table, newest per trace,
    /// where the aggregation reads rows from before the runs first, as it did after
    /// <c>LinkedTraceRuns</c>; the pages start empty. Going back recreates the per-row table empty: a
    /// page's rows cannot be unpacked in SQL, so traces linked since the upgrade lose their rows, and a
    /// span of theirs that arrives after the downgrade is linked on its own.
    /// </summary>
    public partial class PagedTraceRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // In trace order, newest run first per trace (INSERT OR IGNORE keeps the first; a row waiting
            // in the by-id table is newer than any run): the by-id table's pages fill in order.
            migrationBuilder.Sql(
                "INSERT OR IGNORE INTO traces (trace_id_low, spans, span_count, linked_span_count, last_arrival_unix_ms, linked_at_unix_ms, pending) " +
                "SELECT trace_id_low, spans, span_count, linked_span_count, last_arrival_unix_ms, linked_at_unix_ms, 0 FROM trace_runs ORDER BY trace_id_low, run DESC;");
            migrationBuilder.Sql("DROP TABLE trace_runs;");
            migrationBuilder.Sql(TraceRunRows.CreateTableSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"DROP TABLE {TraceRunRows.Table};");
            migrationBuilder.Sql(LinkedTraceRuns.CreateTableSql);
        }
    }
}

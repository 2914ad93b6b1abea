using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.Migrations.Sqlite
{
    /// <summary>
    /// The runs of linked trace rows (<see cref="TraceRuns"/>): each commit appends its linked traces
    /// as one run, keyed (run, trace) so that a run's rows fill pages at the end of the table instead of
    /// one random page of the by-id table each. Only the SQLite aggregation reads and writes them, with
    /// its own SQL; the model does not change. Rows already in <c>traces</c> stay there and are read first.
    /// Its SQL is written out here, as it was: <c>PagedTraceRuns</c> replaced this table since.
    /// </summary>
    public partial class LinkedTraceRuns : Migration
    {
        internal const string CreateTableSql =
            "CREATE TABLE trace_runs (run INTEGER NOT NULL, trace_id_low INTEGER NOT NULL, spans BLOB NOT NULL, " +
            "span_count INTEGER NOT NULL, linked_span_count INTEGER NOT NULL, last_arrival_unix_ms INTEGER NOT NULL, " +
            "linked_at_unix_ms INTEGER, PRIMARY KEY (run, trace_id_low)) WITHOUT ROWID;";

        // Back into the by-id table, newest first; a row waiting there is newer than any run.
        internal const string BackIntoTracesSql =
            "INSERT OR IGNORE INTO traces (trace_id_low, spans, span_count, linked_span_count, last_arrival_unix_ms, linked_at_unix_ms, pending) " +
            "SELECT trace_id_low, spans, span_count, linked_span_count, last_arrival_unix_ms, linked_at_unix_ms, 0 FROM trace_runs ORDER BY run DESC;";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(CreateTableSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(BackIntoTracesSql);
            migrationBuilder.Sql("DROP TABLE trace_runs;");
        }
    }
}

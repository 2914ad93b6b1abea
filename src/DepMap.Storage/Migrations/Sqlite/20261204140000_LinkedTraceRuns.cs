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
    /// </summary>
    public partial class LinkedTraceRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(TraceRunRows.CreateTableSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back into the by-id table, newest first; a row waiting there is newer than any run.
            migrationBuilder.Sql(TraceRunRows.BackIntoTracesSql);
            migrationBuilder.Sql($"DROP TABLE {TraceRunRows.Table};");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.Migrations.Sqlite
{
    /// <summary>
    /// Trace rows used to receive every span as soon as a run saw it, waiting or not; now spans are
    /// linked straight from the span table once their trace is quiet. A trace that was waiting in the
    /// old layout is handed back to the span table: the mark moves back before its first span, so the
    /// next run reads it again, and the row is no longer waiting. Re-reading spans of traces already
    /// linked changes nothing (the row holds them, a span seen twice links once, and the re-link
    /// subtracts exactly what it adds), so no count is lost or doubled. No schema change.
    /// </summary>
    public partial class LinkFromSpanTable : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                "UPDATE aggregation_state SET last_span_id = COALESCE((" +
                "SELECT MIN(s.id) - 1 FROM spans s WHERE s.id <= aggregation_state.last_span_id " +
                "AND s.trace_id_low IN (SELECT trace_id_low FROM traces WHERE pending = 1)), last_span_id) WHERE id = 1;");
            migrationBuilder.Sql("UPDATE traces SET pending = 0 WHERE pending = 1;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}

using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.Migrations.Sqlite
{
    /// <summary>
    /// Moves the span table into the span file (see <see cref="SpanFile"/>), which every connection
    /// has attached by now, with its rows and its AUTOINCREMENT counter. A transaction over two WAL
    /// files is atomic per file only, so the copy ignores rows already there: a move cut short after
    /// the span file committed runs again from the start. The model does not change.
    /// </summary>
    public partial class SpansInTheirOwnFile : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"INSERT OR IGNORE INTO {SpanFile.Schema}.spans SELECT id, trace_id_high, trace_id_low, received_at_unix_ms, data FROM main.spans;");
            migrationBuilder.Sql(
                $"DELETE FROM {SpanFile.Schema}.sqlite_sequence WHERE name = 'spans' " +
                "AND seq < (SELECT seq FROM main.sqlite_sequence WHERE name = 'spans');");
            migrationBuilder.Sql(
                $"INSERT INTO {SpanFile.Schema}.sqlite_sequence (name, seq) SELECT name, seq FROM main.sqlite_sequence " +
                $"WHERE name = 'spans' AND NOT EXISTS (SELECT 1 FROM {SpanFile.Schema}.sqlite_sequence WHERE name = 'spans');");
            migrationBuilder.Sql("DROP TABLE main.spans;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                "CREATE TABLE main.spans (id INTEGER NOT NULL CONSTRAINT PK_spans PRIMARY KEY AUTOINCREMENT, trace_id_high INTEGER NOT NULL, " +
                "trace_id_low INTEGER NOT NULL, received_at_unix_ms INTEGER NOT NULL, data BLOB NOT NULL);");
            migrationBuilder.Sql($"INSERT INTO main.spans SELECT * FROM {SpanFile.Schema}.spans;");
            migrationBuilder.Sql($"DELETE FROM {SpanFile.Schema}.spans;");
        }
    }
}

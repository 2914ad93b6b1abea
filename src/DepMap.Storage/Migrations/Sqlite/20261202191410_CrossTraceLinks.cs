using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.Migrations.Sqlite
{
    /// <summary>
    /// The index of span links across traces (<see cref="Aggregation.TraceLinkRow"/>), so a consumer
    /// trace and the producer trace it links to pair whichever is linked first. It starts empty:
    /// traces linked before it pair only with producers linked after it if they are linked again.
    /// </summary>
    public partial class CrossTraceLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "trace_links",
                columns: table => new
                {
                    target_trace_id_low = table.Column<long>(type: "INTEGER", nullable: false),
                    source_trace_id_low = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trace_links", x => new { x.target_trace_id_low, x.source_trace_id_low });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "trace_links");
        }
    }
}

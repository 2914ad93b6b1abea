using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AggregationAndStatistics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "aggregation_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    last_span_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_aggregation_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "edge_stats",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "INTEGER", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    caller = table.Column<string>(type: "TEXT", nullable: false),
                    callee = table.Column<string>(type: "TEXT", nullable: false),
                    connection_type = table.Column<byte>(type: "INTEGER", nullable: false),
                    call_count = table.Column<long>(type: "INTEGER", nullable: false),
                    error_count = table.Column<long>(type: "INTEGER", nullable: false),
                    blob = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_edge_stats", x => new { x.resolution, x.bucket_start_unix_ms, x.caller, x.callee, x.connection_type });
                });

            migrationBuilder.CreateTable(
                name: "node_stats",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "INTEGER", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    requests_served = table.Column<long>(type: "INTEGER", nullable: false),
                    error_count = table.Column<long>(type: "INTEGER", nullable: false),
                    calls_made = table.Column<long>(type: "INTEGER", nullable: false),
                    blob = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_node_stats", x => new { x.resolution, x.bucket_start_unix_ms, x.name });
                });

            migrationBuilder.CreateTable(
                name: "reliability_stats",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "INTEGER", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    traces = table.Column<long>(type: "INTEGER", nullable: false),
                    blob = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reliability_stats", x => new { x.resolution, x.bucket_start_unix_ms });
                });

            migrationBuilder.CreateTable(
                name: "traces",
                columns: table => new
                {
                    trace_id_low = table.Column<long>(type: "INTEGER", nullable: false),
                    spans = table.Column<byte[]>(type: "BLOB", nullable: false),
                    span_count = table.Column<int>(type: "INTEGER", nullable: false),
                    linked_span_count = table.Column<int>(type: "INTEGER", nullable: false),
                    pending = table.Column<bool>(type: "INTEGER", nullable: false),
                    last_arrival_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    linked_at_unix_ms = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_traces", x => x.trace_id_low);
                });

            migrationBuilder.CreateTable(
                name: "zipkin_links",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "INTEGER", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    parent = table.Column<string>(type: "TEXT", nullable: false),
                    child = table.Column<string>(type: "TEXT", nullable: false),
                    call_count = table.Column<long>(type: "INTEGER", nullable: false),
                    error_count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_zipkin_links", x => new { x.resolution, x.bucket_start_unix_ms, x.parent, x.child });
                });

            migrationBuilder.CreateIndex(
                name: "ix_traces_pending_last_arrival",
                table: "traces",
                columns: new[] { "pending", "last_arrival_unix_ms" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "aggregation_state");

            migrationBuilder.DropTable(
                name: "edge_stats");

            migrationBuilder.DropTable(
                name: "node_stats");

            migrationBuilder.DropTable(
                name: "reliability_stats");

            migrationBuilder.DropTable(
                name: "traces");

            migrationBuilder.DropTable(
                name: "zipkin_links");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.Migrations.Sqlite
{
    /// <summary>
    /// A bucket's edges and nodes in one row of packs (<see cref="Core.Statistics.StatisticsPack"/>)
    /// instead of a row each: the stored statistics are converted in place, in SQL. Going back
    /// recreates the per-edge tables empty, since SQL cannot take a pack apart: the older version
    /// then holds only the statistics it aggregates from then on.
    /// </summary>
    public partial class PackedGraphStatistics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "graph_stats",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "INTEGER", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    edges = table.Column<byte[]>(type: "BLOB", nullable: false),
                    nodes = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_graph_stats", x => new { x.resolution, x.bucket_start_unix_ms });
                });

            // Each bucket's rows become its packs (StatisticsPack: every entry's bytes after their
            // length as four bytes, big-endian), in SQL alone; a bucket with nodes only gets an empty edge pack.
            migrationBuilder.Sql(
                "INSERT INTO graph_stats (resolution, bucket_start_unix_ms, edges, nodes) " +
                "SELECT resolution, bucket_start_unix_ms, unhex(group_concat(printf('%08X', length(blob)) || hex(blob), '')), x'' " +
                "FROM edge_stats GROUP BY resolution, bucket_start_unix_ms;");
            migrationBuilder.Sql(
                "INSERT INTO graph_stats (resolution, bucket_start_unix_ms, edges, nodes) " +
                "SELECT resolution, bucket_start_unix_ms, x'', unhex(group_concat(printf('%08X', length(blob)) || hex(blob), '')) " +
                "FROM node_stats WHERE true GROUP BY resolution, bucket_start_unix_ms " +
                "ON CONFLICT (resolution, bucket_start_unix_ms) DO UPDATE SET nodes = excluded.nodes;");

            migrationBuilder.DropTable(
                name: "edge_stats");

            migrationBuilder.DropTable(
                name: "node_stats");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "graph_stats");

            migrationBuilder.CreateTable(
                name: "edge_stats",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "INTEGER", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    caller = table.Column<string>(type: "TEXT", nullable: false),
                    callee = table.Column<string>(type: "TEXT", nullable: false),
                    connection_type = table.Column<byte>(type: "INTEGER", nullable: false),
                    blob = table.Column<byte[]>(type: "BLOB", nullable: false),
                    call_count = table.Column<long>(type: "INTEGER", nullable: false),
                    error_count = table.Column<long>(type: "INTEGER", nullable: false)
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
                    blob = table.Column<byte[]>(type: "BLOB", nullable: false),
                    calls_made = table.Column<long>(type: "INTEGER", nullable: false),
                    error_count = table.Column<long>(type: "INTEGER", nullable: false),
                    requests_served = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_node_stats", x => new { x.resolution, x.bucket_start_unix_ms, x.name });
                });
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.PostgreSql.Migrations
{
    /// <summary>
    /// A bucket's edges and nodes in one row of packs (<see cref="Core.Statistics.StatisticsPack"/>)
    /// instead of a row each, converted in place in SQL, as SQLite's <c>PackedGraphStatistics</c>.
    /// Going back recreates the per-edge tables empty, since SQL cannot take a pack apart.
    /// </summary>
    public partial class PackedGraphStatisticsPostgreSql : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "graph_stats",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "smallint", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    edges = table.Column<byte[]>(type: "bytea", nullable: false),
                    nodes = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_graph_stats", x => new { x.resolution, x.bucket_start_unix_ms });
                });

            // Each bucket's rows become its packs (StatisticsPack: every entry's bytes after their
            // length as four bytes, big-endian); a bucket with nodes only gets an empty edge pack.
            migrationBuilder.Sql(
                "INSERT INTO graph_stats (resolution, bucket_start_unix_ms, edges, nodes) " +
                "SELECT resolution, bucket_start_unix_ms, string_agg(int4send(length(blob)) || blob, ''::bytea), ''::bytea " +
                "FROM edge_stats GROUP BY resolution, bucket_start_unix_ms;");
            migrationBuilder.Sql(
                "INSERT INTO graph_stats (resolution, bucket_start_unix_ms, edges, nodes) " +
                "SELECT resolution, bucket_start_unix_ms, ''::bytea, string_agg(int4send(length(blob)) || blob, ''::bytea) " +
                "FROM node_stats GROUP BY resolution, bucket_start_unix_ms " +
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
                    resolution = table.Column<byte>(type: "smallint", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    caller = table.Column<string>(type: "text", nullable: false),
                    callee = table.Column<string>(type: "text", nullable: false),
                    connection_type = table.Column<byte>(type: "smallint", nullable: false),
                    blob = table.Column<byte[]>(type: "bytea", nullable: false),
                    call_count = table.Column<long>(type: "bigint", nullable: false),
                    error_count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_edge_stats", x => new { x.resolution, x.bucket_start_unix_ms, x.caller, x.callee, x.connection_type });
                });

            migrationBuilder.CreateTable(
                name: "node_stats",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "smallint", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    blob = table.Column<byte[]>(type: "bytea", nullable: false),
                    calls_made = table.Column<long>(type: "bigint", nullable: false),
                    error_count = table.Column<long>(type: "bigint", nullable: false),
                    requests_served = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_node_stats", x => new { x.resolution, x.bucket_start_unix_ms, x.name });
                });
        }
    }
}

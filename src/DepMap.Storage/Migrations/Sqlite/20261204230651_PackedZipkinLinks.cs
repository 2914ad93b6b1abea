using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.Migrations.Sqlite
{
    /// <summary>
    /// A bucket's Zipkin links in one row, a pack (<see cref="Core.Statistics.StatisticsPack.WriteLinks"/>),
    /// instead of a row each: the stored links are converted in place, in SQL. Going back recreates
    /// the per-link table empty, since SQL cannot take a pack apart: the older version then holds
    /// only the links it aggregates from then on.
    /// </summary>
    public partial class PackedZipkinLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "zipkin_link_packs",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "INTEGER", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    links = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_zipkin_link_packs", x => new { x.resolution, x.bucket_start_unix_ms });
                });

            // Each bucket's rows become its pack (StatisticsPack.WriteLinks: every entry after its
            // length as four bytes; in it the parent's and the child's UTF-8 after their lengths,
            // then the calls and the errors as eight bytes each; all big-endian), in SQL alone.
            migrationBuilder.Sql(
                "INSERT INTO zipkin_link_packs (resolution, bucket_start_unix_ms, links) " +
                "SELECT resolution, bucket_start_unix_ms, unhex(group_concat(" +
                "printf('%08X', 24 + length(CAST(parent AS BLOB)) + length(CAST(child AS BLOB))) " +
                "|| printf('%08X', length(CAST(parent AS BLOB))) || hex(parent) " +
                "|| printf('%08X', length(CAST(child AS BLOB))) || hex(child) " +
                "|| printf('%016X', call_count) || printf('%016X', error_count), '')) " +
                "FROM zipkin_links GROUP BY resolution, bucket_start_unix_ms;");

            migrationBuilder.DropTable(
                name: "zipkin_links");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "zipkin_link_packs");

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
        }
    }
}

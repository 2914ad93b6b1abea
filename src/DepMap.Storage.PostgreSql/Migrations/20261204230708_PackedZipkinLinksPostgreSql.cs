using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.PostgreSql.Migrations
{
    /// <summary>
    /// A bucket's Zipkin links in one row, a pack (<see cref="Core.Statistics.StatisticsPack.WriteLinks"/>),
    /// instead of a row each, converted in place in SQL, as SQLite's <c>PackedZipkinLinks</c>. Going
    /// back recreates the per-link table empty, since SQL cannot take a pack apart.
    /// </summary>
    public partial class PackedZipkinLinksPostgreSql : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "zipkin_link_packs",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "smallint", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    links = table.Column<byte[]>(type: "bytea", nullable: false)
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
                "SELECT resolution, bucket_start_unix_ms, string_agg(" +
                "int4send(24 + octet_length(convert_to(parent, 'UTF8')) + octet_length(convert_to(child, 'UTF8'))) " +
                "|| int4send(octet_length(convert_to(parent, 'UTF8'))) || convert_to(parent, 'UTF8') " +
                "|| int4send(octet_length(convert_to(child, 'UTF8'))) || convert_to(child, 'UTF8') " +
                "|| int8send(call_count) || int8send(error_count), ''::bytea) " +
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
                    resolution = table.Column<byte>(type: "smallint", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    parent = table.Column<string>(type: "text", nullable: false),
                    child = table.Column<string>(type: "text", nullable: false),
                    call_count = table.Column<long>(type: "bigint", nullable: false),
                    error_count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_zipkin_links", x => new { x.resolution, x.bucket_start_unix_ms, x.parent, x.child });
                });
        }
    }
}

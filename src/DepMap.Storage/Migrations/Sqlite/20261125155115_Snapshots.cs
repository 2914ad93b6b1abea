using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Snapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "snapshots",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    taken_at_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    from_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    to_unix_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    label = table.Column<string>(type: "TEXT", nullable: true),
                    topology_hash = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", nullable: false),
                    same_topology_as_previous = table.Column<bool>(type: "INTEGER", nullable: false),
                    file_stem = table.Column<string>(type: "TEXT", nullable: false),
                    node_count = table.Column<int>(type: "INTEGER", nullable: false),
                    edge_count = table.Column<int>(type: "INTEGER", nullable: false),
                    body = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_snapshots", x => x.id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "snapshots");
        }
    }
}

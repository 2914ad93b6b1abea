using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DepMap.Storage.PostgreSql.Migrations
{
    /// <summary>
    /// A linked trace keeps its spans as span ids; when a late span re-links it, the aggregation reads
    /// them back by id, which (tx, id) cannot answer without scanning every partition. Ids rise, so
    /// the index grows at its right edge and costs ingest little. SQL only: the model is unchanged.
    /// </summary>
    [DbContext(typeof(DepMapDbContext))]
    [Migration("20261203093000_SpanIdIndexPostgreSql")]
    public partial class SpanIdIndexPostgreSql : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("CREATE INDEX ix_spans_id ON spans (id);");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("DROP INDEX ix_spans_id;");
    }
}

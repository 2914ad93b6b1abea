using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DepMap.Storage.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class InitialPostgreSql : Migration
    {
        // Written out here rather than shared with the code: a migration is frozen once applied.
        // tx is the writing transaction, the aggregation's mark (ids alone are not: with several
        // writers, id 103 can commit after id 105). Spans land in one partition per UTC day
        // (spans_yyyymmdd, created by depmap_span_partition before a day's first commit, so
        // retention drops whole days); spans_default only catches rows written without it, and
        // depmap_span_partition moves them, id and tx unchanged, into the day's partition.
        private const string CreateSpansSql = """
            CREATE SEQUENCE spans_id_seq;
            CREATE TABLE spans (
              id bigint NOT NULL DEFAULT nextval('spans_id_seq'),
              trace_id_high bigint NOT NULL, trace_id_low bigint NOT NULL,
              received_at_unix_ms bigint NOT NULL, data bytea NOT NULL,
              tx xid8 NOT NULL DEFAULT pg_current_xact_id()
            ) PARTITION BY RANGE (received_at_unix_ms);
            ALTER SEQUENCE spans_id_seq OWNED BY spans.id;
            CREATE INDEX ix_spans_tx_id ON spans (tx, id);
            CREATE TABLE spans_default PARTITION OF spans DEFAULT;
            CREATE TABLE aggregation_mark (id smallint PRIMARY KEY, last_tx xid8 NOT NULL, last_span_id bigint NOT NULL);

            CREATE FUNCTION depmap_span_partition(at_unix_ms bigint) RETURNS text
            LANGUAGE plpgsql AS $$
            DECLARE
              day_ms constant bigint := 86400000;
              day_start constant bigint := floor(at_unix_ms::numeric / day_ms)::bigint * day_ms;
              day_end constant bigint := day_start + day_ms;
              part constant text := 'spans_' || to_char(to_timestamp(day_start / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD');
            BEGIN
              IF to_regclass(part) IS NOT NULL THEN
                RETURN part;
              END IF;
              -- Several instances may reach a new day at once: one creates, the others find it.
              PERFORM pg_advisory_xact_lock(hashtext('depmap.span_partitions'));
              IF to_regclass(part) IS NOT NULL THEN
                RETURN part;
              END IF;
              -- Built apart and attached, so rows already in the default partition can move first
              -- (a partition whose range the default partition holds rows of cannot be attached).
              -- The advisory lock does not make this session read the catalog anew, so the check above
              -- can miss a partition another instance created and committed while we waited (seen as
              -- 42P07 with two instances on a new day): its name taken is the answer, not an error.
              BEGIN
                EXECUTE format('CREATE TABLE %I (LIKE spans INCLUDING DEFAULTS)', part);
              EXCEPTION WHEN duplicate_table THEN
                RETURN part;
              END;
              EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (received_at_unix_ms >= %s AND received_at_unix_ms < %s)',
                part, part || '_range', day_start, day_end);
              EXECUTE format('INSERT INTO %I SELECT * FROM spans_default WHERE received_at_unix_ms >= %s AND received_at_unix_ms < %s',
                part, day_start, day_end);
              EXECUTE format('DELETE FROM spans_default WHERE received_at_unix_ms >= %s AND received_at_unix_ms < %s', day_start, day_end);
              EXECUTE format('ALTER TABLE spans ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', part, day_start, day_end);
              RETURN part;
            END
            $$;
            """;

        private const string DropSpansSql = """
            DROP FUNCTION depmap_span_partition(bigint);
            DROP TABLE aggregation_mark;
            DROP TABLE spans;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "aggregation_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    last_span_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_aggregation_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "declared_models",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    kind = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    format = table.Column<string>(type: "text", nullable: true),
                    uploaded_at_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    body = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_declared_models", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "edge_stats",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "smallint", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    caller = table.Column<string>(type: "text", nullable: false),
                    callee = table.Column<string>(type: "text", nullable: false),
                    connection_type = table.Column<byte>(type: "smallint", nullable: false),
                    call_count = table.Column<long>(type: "bigint", nullable: false),
                    error_count = table.Column<long>(type: "bigint", nullable: false),
                    blob = table.Column<byte[]>(type: "bytea", nullable: false)
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
                    requests_served = table.Column<long>(type: "bigint", nullable: false),
                    error_count = table.Column<long>(type: "bigint", nullable: false),
                    calls_made = table.Column<long>(type: "bigint", nullable: false),
                    blob = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_node_stats", x => new { x.resolution, x.bucket_start_unix_ms, x.name });
                });

            migrationBuilder.CreateTable(
                name: "reliability_stats",
                columns: table => new
                {
                    resolution = table.Column<byte>(type: "smallint", nullable: false),
                    bucket_start_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    traces = table.Column<long>(type: "bigint", nullable: false),
                    blob = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reliability_stats", x => new { x.resolution, x.bucket_start_unix_ms });
                });

            migrationBuilder.CreateTable(
                name: "snapshots",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    taken_at_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    from_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    to_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    label = table.Column<string>(type: "text", nullable: true),
                    topology_hash = table.Column<string>(type: "text", nullable: false),
                    content_hash = table.Column<string>(type: "text", nullable: false),
                    same_topology_as_previous = table.Column<bool>(type: "boolean", nullable: false),
                    file_stem = table.Column<string>(type: "text", nullable: false),
                    node_count = table.Column<int>(type: "integer", nullable: false),
                    edge_count = table.Column<int>(type: "integer", nullable: false),
                    body = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_snapshots", x => x.id);
                });

            // The span table is partitioned by arrival time, which EF Core cannot express; the model
            // still maps SpanRow to it (a partitioned table has no primary key on id alone).
            migrationBuilder.Sql(CreateSpansSql);

            migrationBuilder.CreateTable(
                name: "trace_links",
                columns: table => new
                {
                    target_trace_id_low = table.Column<long>(type: "bigint", nullable: false),
                    source_trace_id_low = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trace_links", x => new { x.target_trace_id_low, x.source_trace_id_low });
                });

            migrationBuilder.CreateTable(
                name: "traces",
                columns: table => new
                {
                    trace_id_low = table.Column<long>(type: "bigint", nullable: false),
                    spans = table.Column<byte[]>(type: "bytea", nullable: false),
                    span_count = table.Column<int>(type: "integer", nullable: false),
                    linked_span_count = table.Column<int>(type: "integer", nullable: false),
                    pending = table.Column<bool>(type: "boolean", nullable: false),
                    last_arrival_unix_ms = table.Column<long>(type: "bigint", nullable: false),
                    linked_at_unix_ms = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_traces", x => x.trace_id_low);
                });

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

            migrationBuilder.CreateIndex(
                name: "ix_declared_models_kind_id",
                table: "declared_models",
                columns: new[] { "kind", "id" });

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
                name: "declared_models");

            migrationBuilder.DropTable(
                name: "edge_stats");

            migrationBuilder.DropTable(
                name: "node_stats");

            migrationBuilder.DropTable(
                name: "reliability_stats");

            migrationBuilder.DropTable(
                name: "snapshots");

            migrationBuilder.Sql(DropSpansSql);

            migrationBuilder.DropTable(
                name: "trace_links");

            migrationBuilder.DropTable(
                name: "traces");

            migrationBuilder.DropTable(
                name: "zipkin_links");
        }
    }
}

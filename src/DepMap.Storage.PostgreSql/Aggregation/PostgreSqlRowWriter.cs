using DepMap.Storage.Aggregation;
using DepMap.Storage.Statistics;
using Npgsql;
using NpgsqlTypes;

namespace DepMap.Storage.PostgreSql.Aggregation;

/// <summary>
/// Writes a batch's rows inside its transaction, one statement per table and kind: the rows go as
/// arrays, one per column, and <c>unnest</c> turns them back into rows for an
/// <c>INSERT … ON CONFLICT … DO UPDATE</c> (or a <c>DELETE … USING</c>). As one binary message per
/// statement it costs what a binary COPY into a temporary table would, without the temporary
/// table's catalog rows per session, and the inserted values take the columns' types by
/// assignment. SQLite's prepared statement per row would be one round trip per row here.
/// </summary>
internal static class PostgreSqlRowWriter
{
    private const string UpsertGraphsSql =
        $"INSERT INTO {GraphBucketRow.Table} (resolution, bucket_start_unix_ms, edges, nodes) " +
        "SELECT * FROM unnest(@resolution, @bucket, @edges, @nodes) " +
        "ON CONFLICT (resolution, bucket_start_unix_ms) DO UPDATE SET edges = excluded.edges, nodes = excluded.nodes";

    private const string DeleteGraphsSql =
        $"DELETE FROM {GraphBucketRow.Table} s USING unnest(@resolution, @bucket) AS d(resolution, bucket) " +
        "WHERE s.resolution = d.resolution AND s.bucket_start_unix_ms = d.bucket";

    private const string UpsertLinksSql =
        $"INSERT INTO {ZipkinLinkPackRow.Table} (resolution, bucket_start_unix_ms, links) " +
        "SELECT * FROM unnest(@resolution, @bucket, @links) " +
        "ON CONFLICT (resolution, bucket_start_unix_ms) DO UPDATE SET links = excluded.links";

    private const string DeleteLinksSql =
        $"DELETE FROM {ZipkinLinkPackRow.Table} s USING unnest(@resolution, @bucket) AS d(resolution, bucket) " +
        "WHERE s.resolution = d.resolution AND s.bucket_start_unix_ms = d.bucket";

    private const string UpsertReliabilitySql =
        "INSERT INTO reliability_stats (resolution, bucket_start_unix_ms, traces, blob) " +
        "SELECT * FROM unnest(@resolution, @bucket, @traces, @blob) " +
        "ON CONFLICT (resolution, bucket_start_unix_ms) DO UPDATE SET traces = excluded.traces, blob = excluded.blob";

    private const string DeleteReliabilitySql =
        "DELETE FROM reliability_stats s USING unnest(@resolution, @bucket) AS d(resolution, bucket) " +
        "WHERE s.resolution = d.resolution AND s.bucket_start_unix_ms = d.bucket";

    private const string UpsertTracesSql =
        $"INSERT INTO {TraceRow.Table} ({TraceRow.TraceIdLowColumn}, {TraceRow.SpansColumn}, {TraceRow.SpanCountColumn}, " +
        $"{TraceRow.LinkedSpanCountColumn}, {TraceRow.PendingColumn}, {TraceRow.LastArrivalColumn}, {TraceRow.LinkedAtColumn}) " +
        "SELECT * FROM unnest(@id, @spans, @count, @linked, @pending, @arrival, @linkedAt) " +
        $"ON CONFLICT ({TraceRow.TraceIdLowColumn}) DO UPDATE SET {TraceRow.SpansColumn} = excluded.{TraceRow.SpansColumn}, " +
        $"{TraceRow.SpanCountColumn} = excluded.{TraceRow.SpanCountColumn}, {TraceRow.LinkedSpanCountColumn} = excluded.{TraceRow.LinkedSpanCountColumn}, " +
        $"{TraceRow.PendingColumn} = excluded.{TraceRow.PendingColumn}, {TraceRow.LastArrivalColumn} = excluded.{TraceRow.LastArrivalColumn}, " +
        $"{TraceRow.LinkedAtColumn} = excluded.{TraceRow.LinkedAtColumn}";

    private const string InsertTraceLinksSql =
        $"INSERT INTO {TraceLinkRow.Table} ({TraceLinkRow.TargetColumn}, {TraceLinkRow.SourceColumn}) " +
        "SELECT * FROM unnest(@target, @source) ON CONFLICT DO NOTHING";

    /// <summary>Writes every row of <paramref name="rows"/> inside <paramref name="transaction"/>.</summary>
    public static async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BatchRows rows, CancellationToken cancellationToken)
    {
        rows.Statistics.ThrowUnlessPacked();
        var batch = new NpgsqlBatch(connection, transaction);
        var s = rows.Statistics;
        // Copies of the packs: Npgsql sends arrays of arrays. The store gives the pooled buffers back once committed.
        Add(batch, UpsertGraphsSql, s.Graphs, Resolution<GraphBucket>(), Bucket<GraphBucket>(),
            Column("edges", NpgsqlDbType.Bytea, (GraphBucket r) => r.Edges.WrittenSpan.ToArray()),
            Column("nodes", NpgsqlDbType.Bytea, (GraphBucket r) => r.Nodes.WrittenSpan.ToArray()));
        Add(batch, DeleteGraphsSql, s.DeletedGraphs, Resolution<BucketKey>(), Bucket<BucketKey>());
        Add(batch, UpsertLinksSql, s.Links, Resolution<LinkBucket>(), Bucket<LinkBucket>(),
            Column("links", NpgsqlDbType.Bytea, (LinkBucket r) => r.Links.WrittenSpan.ToArray()));
        Add(batch, DeleteLinksSql, s.DeletedLinks, Resolution<BucketKey>(), Bucket<BucketKey>());
        Add(batch, UpsertReliabilitySql, s.Reliability, Resolution<ReliabilityStatisticsRow>(), Bucket<ReliabilityStatisticsRow>(),
            Column("traces", NpgsqlDbType.Bigint, (ReliabilityStatisticsRow r) => r.Traces), Column("blob", NpgsqlDbType.Bytea, (ReliabilityStatisticsRow r) => r.Blob));
        Add(batch, DeleteReliabilitySql, s.DeletedReliability, Resolution<ReliabilityStatisticsRow>(), Bucket<ReliabilityStatisticsRow>());
        Add(batch, UpsertTracesSql, rows.Traces,
            Column("id", NpgsqlDbType.Bigint, (TraceRow r) => r.TraceIdLow), Column("spans", NpgsqlDbType.Bytea, (TraceRow r) => r.Spans),
            Column("count", NpgsqlDbType.Integer, (TraceRow r) => r.SpanCount), Column("linked", NpgsqlDbType.Integer, (TraceRow r) => r.LinkedSpanCount),
            Column("pending", NpgsqlDbType.Boolean, (TraceRow r) => r.Pending), Column("arrival", NpgsqlDbType.Bigint, (TraceRow r) => r.LastArrivalUnixMs),
            Column("linkedAt", NpgsqlDbType.Bigint, (TraceRow r) => r.LinkedAtUnixMs));
        Add(batch, InsertTraceLinksSql, rows.TraceLinks,
            Column("target", NpgsqlDbType.Bigint, ((long Target, long Source) p) => p.Target),
            Column("source", NpgsqlDbType.Bigint, ((long Target, long Source) p) => p.Source));
        await using (batch)
        {
            if (batch.BatchCommands.Count > 0)
            {
                // One round trip for the whole batch's rows.
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private static Func<IReadOnlyList<T>, NpgsqlParameter> Resolution<T>() where T : IBucketRow =>
        Column("resolution", NpgsqlDbType.Smallint, (T r) => (short)r.Resolution);

    private static Func<IReadOnlyList<T>, NpgsqlParameter> Bucket<T>() where T : IBucketRow =>
        Column("bucket", NpgsqlDbType.Bigint, (T r) => r.BucketStartUnixMs);

    /// <summary>A column of the rows as one typed array parameter.</summary>
    private static Func<IReadOnlyList<T>, NpgsqlParameter> Column<T, TValue>(string name, NpgsqlDbType type, Func<T, TValue> value) =>
        rows =>
        {
            var array = new TValue[rows.Count];
            for (var i = 0; i < array.Length; i++)
            {
                array[i] = value(rows[i]);
            }
            return new NpgsqlParameter<TValue[]>(name, NpgsqlDbType.Array | type) { TypedValue = array };
        };

    /// <summary>Adds <paramref name="sql"/> with one array parameter per column, unless there are no rows.</summary>
    private static void Add<T>(NpgsqlBatch batch, string sql, IReadOnlyList<T> rows, params Func<IReadOnlyList<T>, NpgsqlParameter>[] columns)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var command = new NpgsqlBatchCommand(sql);
        foreach (var column in columns)
        {
            command.Parameters.Add(column(rows));
        }
        batch.BatchCommands.Add(command);
    }
}

using System.Data;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Statistics;

/// <summary>
/// Collects a linking batch's statistics row changes (outside the transaction, while rows are
/// merged) and writes them with prepared upserts and deletes inside it. This bypasses EF Core's
/// change tracker on purpose: a batch rewrites thousands of edge rows per bucket, and tracking
/// them (snapshot, topological sort, one generated command per row) cost more than the merging.
/// </summary>
public sealed class StatisticsRowWriter
{
    private const string Bucket = "resolution = @resolution AND bucket_start_unix_ms = @bucket";

    private const string UpsertEdgeSql =
        "INSERT INTO edge_stats (resolution, bucket_start_unix_ms, caller, callee, connection_type, call_count, error_count, blob) " +
        "VALUES (@resolution, @bucket, @caller, @callee, @type, @calls, @errors, @blob) " +
        "ON CONFLICT (resolution, bucket_start_unix_ms, caller, callee, connection_type) DO UPDATE SET " +
        "call_count = excluded.call_count, error_count = excluded.error_count, blob = excluded.blob";

    private const string DeleteEdgeSql = $"DELETE FROM edge_stats WHERE {Bucket} AND caller = @caller AND callee = @callee AND connection_type = @type";

    private const string UpsertNodeSql =
        "INSERT INTO node_stats (resolution, bucket_start_unix_ms, name, requests_served, error_count, calls_made, blob) " +
        "VALUES (@resolution, @bucket, @name, @served, @errors, @made, @blob) " +
        "ON CONFLICT (resolution, bucket_start_unix_ms, name) DO UPDATE SET " +
        "requests_served = excluded.requests_served, error_count = excluded.error_count, calls_made = excluded.calls_made, blob = excluded.blob";

    private const string DeleteNodeSql = $"DELETE FROM node_stats WHERE {Bucket} AND name = @name";

    private const string UpsertLinkSql =
        "INSERT INTO zipkin_links (resolution, bucket_start_unix_ms, parent, child, call_count, error_count) " +
        "VALUES (@resolution, @bucket, @parent, @child, @calls, @errors) " +
        "ON CONFLICT (resolution, bucket_start_unix_ms, parent, child) DO UPDATE SET " +
        "call_count = excluded.call_count, error_count = excluded.error_count";

    private const string DeleteLinkSql = $"DELETE FROM zipkin_links WHERE {Bucket} AND parent = @parent AND child = @child";

    private const string UpsertReliabilitySql =
        "INSERT INTO reliability_stats (resolution, bucket_start_unix_ms, traces, blob) VALUES (@resolution, @bucket, @traces, @blob) " +
        "ON CONFLICT (resolution, bucket_start_unix_ms) DO UPDATE SET traces = excluded.traces, blob = excluded.blob";

    private const string DeleteReliabilitySql = $"DELETE FROM reliability_stats WHERE {Bucket}";

    private readonly List<EdgeStatisticsRow> _edges = [];
    private readonly List<EdgeStatisticsRow> _deletedEdges = [];
    private readonly List<NodeStatisticsRow> _nodes = [];
    private readonly List<NodeStatisticsRow> _deletedNodes = [];
    private readonly List<ZipkinLinkRow> _links = [];
    private readonly List<ZipkinLinkRow> _deletedLinks = [];
    private readonly List<ReliabilityStatisticsRow> _reliability = [];
    private readonly List<ReliabilityStatisticsRow> _deletedReliability = [];

    // What another store's writer (PostgreSQL's, which sends each list in one statement) writes.
    internal IReadOnlyList<EdgeStatisticsRow> Edges => _edges;
    internal IReadOnlyList<EdgeStatisticsRow> DeletedEdges => _deletedEdges;
    internal IReadOnlyList<NodeStatisticsRow> Nodes => _nodes;
    internal IReadOnlyList<NodeStatisticsRow> DeletedNodes => _deletedNodes;
    internal IReadOnlyList<ZipkinLinkRow> Links => _links;
    internal IReadOnlyList<ZipkinLinkRow> DeletedLinks => _deletedLinks;
    internal IReadOnlyList<ReliabilityStatisticsRow> Reliability => _reliability;
    internal IReadOnlyList<ReliabilityStatisticsRow> DeletedReliability => _deletedReliability;

    public void Upsert(EdgeStatisticsRow row) => _edges.Add(row);

    public void Delete(EdgeStatisticsRow row) => _deletedEdges.Add(row);

    public void Upsert(NodeStatisticsRow row) => _nodes.Add(row);

    public void Delete(NodeStatisticsRow row) => _deletedNodes.Add(row);

    public void Upsert(ZipkinLinkRow row) => _links.Add(row);

    public void Delete(ZipkinLinkRow row) => _deletedLinks.Add(row);

    public void Upsert(ReliabilityStatisticsRow row) => _reliability.Add(row);

    public void Delete(ReliabilityStatisticsRow row) => _deletedReliability.Add(row);

    /// <summary>Writes every collected change inside <paramref name="db"/>'s open transaction, then forgets them.</summary>
    public void Write(DbContext db)
    {
        var resolution = ("@resolution", DbType.Byte);
        var bucket = ("@bucket", DbType.Int64);
        if (_edges.Count > 0)
        {
            using var upsert = new PreparedCommand(db, UpsertEdgeSql, resolution, bucket,
                ("@caller", DbType.String), ("@callee", DbType.String), ("@type", DbType.Byte),
                ("@calls", DbType.Int64), ("@errors", DbType.Int64), ("@blob", DbType.Binary));
            foreach (var r in _edges)
            {
                BindBucket(upsert, r.Resolution, r.BucketStartUnixMs);
                upsert.Bind(2, r.Caller);
                upsert.Bind(3, r.Callee);
                upsert.Bind(4, r.ConnectionType);
                upsert.Bind(5, r.CallCount);
                upsert.Bind(6, r.ErrorCount);
                upsert.Bind(7, r.Blob);
                upsert.Step();
            }
        }
        if (_deletedEdges.Count > 0)
        {
            using var delete = new PreparedCommand(db, DeleteEdgeSql, resolution, bucket,
                ("@caller", DbType.String), ("@callee", DbType.String), ("@type", DbType.Byte));
            foreach (var r in _deletedEdges)
            {
                delete.Execute((byte)r.Resolution, r.BucketStartUnixMs, r.Caller, r.Callee, r.ConnectionType);
            }
        }
        if (_nodes.Count > 0)
        {
            using var upsert = new PreparedCommand(db, UpsertNodeSql, resolution, bucket,
                ("@name", DbType.String), ("@served", DbType.Int64), ("@errors", DbType.Int64), ("@made", DbType.Int64), ("@blob", DbType.Binary));
            foreach (var r in _nodes)
            {
                BindBucket(upsert, r.Resolution, r.BucketStartUnixMs);
                upsert.Bind(2, r.Name);
                upsert.Bind(3, r.RequestsServed);
                upsert.Bind(4, r.ErrorCount);
                upsert.Bind(5, r.CallsMade);
                upsert.Bind(6, r.Blob);
                upsert.Step();
            }
        }
        if (_deletedNodes.Count > 0)
        {
            using var delete = new PreparedCommand(db, DeleteNodeSql, resolution, bucket, ("@name", DbType.String));
            foreach (var r in _deletedNodes)
            {
                delete.Execute((byte)r.Resolution, r.BucketStartUnixMs, r.Name);
            }
        }
        if (_links.Count > 0)
        {
            using var upsert = new PreparedCommand(db, UpsertLinkSql, resolution, bucket,
                ("@parent", DbType.String), ("@child", DbType.String), ("@calls", DbType.Int64), ("@errors", DbType.Int64));
            foreach (var r in _links)
            {
                BindBucket(upsert, r.Resolution, r.BucketStartUnixMs);
                upsert.Bind(2, r.Parent);
                upsert.Bind(3, r.Child);
                upsert.Bind(4, r.CallCount);
                upsert.Bind(5, r.ErrorCount);
                upsert.Step();
            }
        }
        if (_deletedLinks.Count > 0)
        {
            using var delete = new PreparedCommand(db, DeleteLinkSql, resolution, bucket, ("@parent", DbType.String), ("@child", DbType.String));
            foreach (var r in _deletedLinks)
            {
                delete.Execute((byte)r.Resolution, r.BucketStartUnixMs, r.Parent, r.Child);
            }
        }
        if (_reliability.Count > 0)
        {
            using var upsert = new PreparedCommand(db, UpsertReliabilitySql, resolution, bucket, ("@traces", DbType.Int64), ("@blob", DbType.Binary));
            foreach (var r in _reliability)
            {
                upsert.Execute((byte)r.Resolution, r.BucketStartUnixMs, r.Traces, r.Blob);
            }
        }
        if (_deletedReliability.Count > 0)
        {
            using var delete = new PreparedCommand(db, DeleteReliabilitySql, resolution, bucket);
            foreach (var r in _deletedReliability)
            {
                delete.Execute((byte)r.Resolution, r.BucketStartUnixMs);
            }
        }
        Clear();
    }

    private static void BindBucket(PreparedCommand command, Core.Statistics.BucketResolution resolution, long bucketStartUnixMs)
    {
        command.Bind(0, (byte)resolution);
        command.Bind(1, bucketStartUnixMs);
    }

    private void Clear()
    {
        _edges.Clear();
        _deletedEdges.Clear();
        _nodes.Clear();
        _deletedNodes.Clear();
        _links.Clear();
        _deletedLinks.Clear();
        _reliability.Clear();
        _deletedReliability.Clear();
    }
}

using System.Data;
using CommunityToolkit.HighPerformance.Buffers;
using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Statistics;

/// <summary>
/// Collects a linking batch's statistics row changes (outside the transaction, while rows are
/// merged) and writes them with prepared upserts and deletes inside it. This bypasses EF Core's
/// change tracker on purpose: a batch rewrites thousands of rows, and tracking them (snapshot,
/// topological sort, one generated command per row) cost more than the merging. A bucket's graph
/// goes as one row of packs, and its Zipkin links as one more, written into pooled buffers: a busy
/// hour's graph is a megabyte, and a new array per write each batch would land on the large object
/// heap. The packs and the reliability blobs are written by <see cref="StartPacking"/>, on a core
/// of their own while the next batch is linked: they were a sixth of the linking lane's time in a
/// rebuild, the lane every batch waits for. Until <see cref="Packing"/> completes, the statistics
/// they are written from must not change: <see cref="StatisticsBuckets"/> waits for it before it
/// applies the next batch, and the stores' writers before they write.
/// </summary>
public sealed class StatisticsRowWriter
{
    private const string Bucket = "resolution = @resolution AND bucket_start_unix_ms = @bucket";

    private const string UpsertGraphSql =
        $"INSERT INTO {GraphBucketRow.Table} (resolution, bucket_start_unix_ms, edges, nodes) VALUES (@resolution, @bucket, @edges, @nodes) " +
        "ON CONFLICT (resolution, bucket_start_unix_ms) DO UPDATE SET edges = excluded.edges, nodes = excluded.nodes";

    private const string DeleteGraphSql = $"DELETE FROM {GraphBucketRow.Table} WHERE {Bucket}";

    private const string UpsertLinksSql =
        $"INSERT INTO {ZipkinLinkPackRow.Table} (resolution, bucket_start_unix_ms, links) VALUES (@resolution, @bucket, @links) " +
        "ON CONFLICT (resolution, bucket_start_unix_ms) DO UPDATE SET links = excluded.links";

    private const string DeleteLinksSql = $"DELETE FROM {ZipkinLinkPackRow.Table} WHERE {Bucket}";

    private const string UpsertReliabilitySql =
        "INSERT INTO reliability_stats (resolution, bucket_start_unix_ms, traces, blob) VALUES (@resolution, @bucket, @traces, @blob) " +
        "ON CONFLICT (resolution, bucket_start_unix_ms) DO UPDATE SET traces = excluded.traces, blob = excluded.blob";

    private const string DeleteReliabilitySql = $"DELETE FROM reliability_stats WHERE {Bucket}";

    private readonly List<GraphBucket> _graphs = [];
    private readonly List<BucketKey> _deletedGraphs = [];
    private readonly List<LinkBucket> _links = [];
    private readonly List<BucketKey> _deletedLinks = [];
    private readonly List<ReliabilityStatisticsRow> _reliability = [];
    private readonly List<ReliabilityStatisticsRow> _deletedReliability = [];
    // What StartPacking writes: a bucket's packs or blob each.
    private readonly List<Action> _toPack = [];

    /// <summary>Writing the packs and the reliability blobs; complete when nothing is left to write.</summary>
    public Task Packing { get; private set; } = Task.CompletedTask;

    // What another store's writer (PostgreSQL's, which sends each list in one statement) writes.
    internal IReadOnlyList<GraphBucket> Graphs => _graphs;
    internal IReadOnlyList<BucketKey> DeletedGraphs => _deletedGraphs;
    internal IReadOnlyList<LinkBucket> Links => _links;
    internal IReadOnlyList<BucketKey> DeletedLinks => _deletedLinks;
    internal IReadOnlyList<ReliabilityStatisticsRow> Reliability => _reliability;
    internal IReadOnlyList<ReliabilityStatisticsRow> DeletedReliability => _deletedReliability;

    /// <summary>Queues <paramref name="statistics"/> as its bucket's packs, written into rented buffers by <see cref="StartPacking"/>.</summary>
    public void Upsert(BucketResolution resolution, long bucketStartUnixMs, GraphStatistics statistics)
    {
        var bucket = new GraphBucket(resolution, bucketStartUnixMs, new ArrayPoolBufferWriter<byte>(), new ArrayPoolBufferWriter<byte>());
        _graphs.Add(bucket);
        _toPack.Add(() =>
        {
            StatisticsPack.WriteEdges(statistics, bucket.Edges);
            StatisticsPack.WriteNodes(statistics, bucket.Nodes);
        });
    }

    public void DeleteGraph(BucketResolution resolution, long bucketStartUnixMs) => _deletedGraphs.Add(new BucketKey(resolution, bucketStartUnixMs));

    /// <summary>Queues a bucket's Zipkin <paramref name="links"/> as its pack, written into a rented buffer by <see cref="StartPacking"/>.</summary>
    public void UpsertLinks(BucketResolution resolution, long bucketStartUnixMs, IReadOnlyDictionary<(string Parent, string Child), (long Calls, long Errors)> links)
    {
        var bucket = new LinkBucket(resolution, bucketStartUnixMs, new ArrayPoolBufferWriter<byte>());
        _links.Add(bucket);
        _toPack.Add(() => StatisticsPack.WriteLinks(links, bucket.Links));
    }

    public void DeleteLinks(BucketResolution resolution, long bucketStartUnixMs) => _deletedLinks.Add(new BucketKey(resolution, bucketStartUnixMs));

    /// <summary>Queues a bucket's reliability <paramref name="statistics"/>, its blob written by <see cref="StartPacking"/>.</summary>
    public void Upsert(BucketResolution resolution, long bucketStartUnixMs, ReliabilityStatistics statistics)
    {
        var row = new ReliabilityStatisticsRow { Resolution = resolution, BucketStartUnixMs = bucketStartUnixMs, Traces = statistics.Traces };
        _reliability.Add(row);
        _toPack.Add(() => row.Blob = statistics.ToBytes());
    }

    /// <summary>Starts writing every queued pack and reliability blob on the thread pool (<see cref="Packing"/>).</summary>
    public void StartPacking() => Packing = Task.Run(Pack);

    private void Pack()
    {
        foreach (var pack in _toPack)
        {
            pack();
        }
        _toPack.Clear();
    }

    public void Delete(ReliabilityStatisticsRow row) => _deletedReliability.Add(row);

    /// <summary>Writes every collected change inside <paramref name="db"/>'s open transaction, then forgets them; <see cref="Packing"/> has completed.</summary>
    public void Write(DbContext db)
    {
        ThrowUnlessPacked();
        var resolution = ("@resolution", DbType.Byte);
        var bucket = ("@bucket", DbType.Int64);
        if (_graphs.Count > 0)
        {
            using var upsert = new PreparedCommand(db, UpsertGraphSql, resolution, bucket, ("@edges", DbType.Binary), ("@nodes", DbType.Binary));
            foreach (var g in _graphs)
            {
                BindBucket(upsert, g.Resolution, g.BucketStartUnixMs);
                upsert.Bind(2, g.Edges.WrittenSpan);
                upsert.Bind(3, g.Nodes.WrittenSpan);
                upsert.Step();
            }
        }
        if (_deletedGraphs.Count > 0)
        {
            using var delete = new PreparedCommand(db, DeleteGraphSql, resolution, bucket);
            foreach (var g in _deletedGraphs)
            {
                delete.Execute((byte)g.Resolution, g.BucketStartUnixMs);
            }
        }
        if (_links.Count > 0)
        {
            using var upsert = new PreparedCommand(db, UpsertLinksSql, resolution, bucket, ("@links", DbType.Binary));
            foreach (var l in _links)
            {
                BindBucket(upsert, l.Resolution, l.BucketStartUnixMs);
                upsert.Bind(2, l.Links.WrittenSpan);
                upsert.Step();
            }
        }
        if (_deletedLinks.Count > 0)
        {
            using var delete = new PreparedCommand(db, DeleteLinksSql, resolution, bucket);
            foreach (var l in _deletedLinks)
            {
                delete.Execute((byte)l.Resolution, l.BucketStartUnixMs);
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

    /// <summary>Throws unless the packs and blobs are written: a writer that ran ahead would store empty ones.</summary>
    internal void ThrowUnlessPacked()
    {
        if (!Packing.IsCompletedSuccessfully || _toPack.Count > 0)
        {
            throw new InvalidOperationException("The statistics rows are written before their packs: await Packing after StartPacking.");
        }
    }

    private static void BindBucket(PreparedCommand command, BucketResolution resolution, long bucketStartUnixMs)
    {
        command.Bind(0, (byte)resolution);
        command.Bind(1, bucketStartUnixMs);
    }

    /// <summary>Forgets every change and gives the packs' buffers back (<see cref="Write"/> does so itself).</summary>
    internal void Clear()
    {
        foreach (var g in _graphs)
        {
            g.Edges.Dispose();
            g.Nodes.Dispose();
        }
        foreach (var l in _links)
        {
            l.Links.Dispose();
        }
        _graphs.Clear();
        _deletedGraphs.Clear();
        _links.Clear();
        _deletedLinks.Clear();
        _reliability.Clear();
        _deletedReliability.Clear();
    }
}

/// <summary>A bucket's packs, in buffers rented from the shared pool and given back once written.</summary>
internal sealed record GraphBucket(BucketResolution Resolution, long BucketStartUnixMs, ArrayPoolBufferWriter<byte> Edges, ArrayPoolBufferWriter<byte> Nodes) : IBucketRow;

/// <summary>A bucket's Zipkin links pack, in a buffer rented from the shared pool and given back once written.</summary>
internal sealed record LinkBucket(BucketResolution Resolution, long BucketStartUnixMs, ArrayPoolBufferWriter<byte> Links) : IBucketRow;

/// <summary>A bucket whose row goes.</summary>
internal sealed record BucketKey(BucketResolution Resolution, long BucketStartUnixMs) : IBucketRow;

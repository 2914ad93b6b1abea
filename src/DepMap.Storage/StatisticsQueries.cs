using DepMap.Core.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using DepMap.Storage.Statistics;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage;

/// <summary>
/// Reads the aggregated statistics of a window [from, to): hour buckets for the whole hours inside
/// it and minute buckets for the ragged ends (<see cref="BucketWindow"/>), summed. A minute bucket
/// that overlaps an end counts whole. Windows older than the minute retention lose their ragged ends.
/// </summary>
public static class StatisticsQueries
{
    public static async Task<GraphStatistics> ReadGraphStatisticsAsync(
        this DepMapDbContext db, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var statistics = new GraphStatistics();
        foreach (var range in BucketWindow.Cover(from, to))
        {
            foreach (var bucket in await db.GraphBuckets.AsNoTracking().In(range).ToListAsync(ct))
            {
                StatisticsPack.MergeInto(statistics, bucket.Edges, bucket.Nodes);
            }
        }
        return statistics;
    }

    /// <summary>Zipkin's links for the window, summed per (parent, child), ordered by parent then child.</summary>
    public static async Task<IReadOnlyList<DependencyLink>> ReadZipkinLinksAsync(
        this DepMapDbContext db, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var links = new Dictionary<(string Parent, string Child), (long Calls, long Errors)>();
        foreach (var range in BucketWindow.Cover(from, to))
        {
            foreach (var pack in await db.ZipkinLinkPacks.AsNoTracking().In(range).Select(l => l.Links).ToListAsync(ct))
            {
                StatisticsPack.AddLinks(pack, links);
            }
        }
        return ZipkinDependencies.FromCounts(links);
    }

    /// <summary>The reliability facts of the traces that started in the window.</summary>
    public static async Task<ReliabilityStatistics> ReadReliabilityAsync(
        this DepMapDbContext db, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var statistics = new ReliabilityStatistics();
        foreach (var range in BucketWindow.Cover(from, to))
        {
            var blobs = await db.ReliabilityStatistics.AsNoTracking().In(range).Select(r => r.Blob).ToListAsync(ct);
            foreach (var blob in blobs)
            {
                statistics.Add(ReliabilityStatistics.FromBytes(blob));
            }
        }
        return statistics;
    }

    /// <summary>
    /// One node's statistics in each bucket of <paramref name="range"/> that has any, by bucket start
    /// (for a time series: a bucket per step, so nothing is summed here).
    /// </summary>
    public static async Task<IReadOnlyList<(long StartUnixMs, NodeStatistics Node)>> ReadNodeBucketsAsync(
        this DepMapDbContext db, string name, BucketRange range, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.GraphBuckets.AsNoTracking().In(range)
            .Select(g => new { g.BucketStartUnixMs, g.Nodes }).ToListAsync(ct);
        var found = new List<(long StartUnixMs, NodeStatistics Node)>();
        foreach (var row in rows.OrderBy(r => r.BucketStartUnixMs))
        {
            if (StatisticsPack.Node(row.Nodes, name) is { } node)
            {
                found.Add((row.BucketStartUnixMs, node));
            }
        }
        return found;
    }

    /// <summary>
    /// The edges from <paramref name="caller"/> to <paramref name="callee"/> (every connection type)
    /// in each bucket of <paramref name="range"/> that has any, by bucket start.
    /// </summary>
    public static async Task<IReadOnlyList<(long StartUnixMs, EdgeStatistics Edge)>> ReadEdgeBucketsAsync(
        this DepMapDbContext db, string caller, string callee, BucketRange range, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.GraphBuckets.AsNoTracking().In(range)
            .Select(g => new { g.BucketStartUnixMs, g.Edges }).ToListAsync(ct);
        var found = new List<(long StartUnixMs, EdgeStatistics Edge)>();
        foreach (var row in rows.OrderBy(r => r.BucketStartUnixMs))
        {
            foreach (var edge in StatisticsPack.EdgesBetween(row.Edges, caller, callee))
            {
                found.Add((row.BucketStartUnixMs, edge));
            }
        }
        return found;
    }

    /// <summary>The rows of one bucket range: a range scan on the key's prefix.</summary>
    public static IQueryable<T> In<T>(this IQueryable<T> rows, BucketRange range)
        where T : class, IBucketRow =>
        rows.Where(r => r.Resolution == range.Resolution
            && r.BucketStartUnixMs >= range.FromUnixMs
            && r.BucketStartUnixMs < range.ToUnixMs);
}

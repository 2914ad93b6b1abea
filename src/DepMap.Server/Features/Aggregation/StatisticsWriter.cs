using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using DepMap.Storage;
using DepMap.Storage.Statistics;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Applies a <see cref="StatisticsDelta"/> to the statistics rows through the change tracker: load
/// the bucket's rows, subtract and add in memory with Core's rules, write back what changed and
/// delete what fell to zero. The caller saves inside its transaction. EF Core's change tracking is
/// fast enough here: a run touches a few buckets' rows, not one row per span.
/// </summary>
internal sealed partial class StatisticsWriter(DepMapDbContext db, ILogger logger)
{
    public async Task ApplyAsync(StatisticsDelta delta, CancellationToken cancellationToken)
    {
        foreach (var ((resolution, start), bucket) in delta.Buckets)
        {
            var range = new BucketRange(resolution, start, start + 1);
            await ApplyGraphAsync(range, bucket, cancellationToken);
            await ApplyLinksAsync(range, bucket, cancellationToken);
            await ApplyReliabilityAsync(range, bucket, cancellationToken);
        }
    }

    private async Task ApplyGraphAsync(BucketRange range, BucketDelta bucket, CancellationToken cancellationToken)
    {
        if (bucket.Added.IsEmpty && bucket.Removed.IsEmpty)
        {
            return;
        }
        var edgeKeys = bucket.Added.Edges.Keys.Union(bucket.Removed.Edges.Keys).ToHashSet();
        var nodeNames = bucket.Added.Nodes.Keys.Union(bucket.Removed.Nodes.Keys).ToHashSet(StringComparer.Ordinal);
        var edgeRows = (await db.EdgeStatistics.In(range).ToListAsync(cancellationToken))
            .Where(r => edgeKeys.Contains(Key(r)))
            .ToDictionary(Key);
        var nodeRows = (await db.NodeStatistics.In(range).ToListAsync(cancellationToken))
            .Where(r => nodeNames.Contains(r.Name))
            .ToDictionary(r => r.Name, StringComparer.Ordinal);

        var current = new GraphStatistics();
        foreach (var row in edgeRows.Values)
        {
            current.Merge(row.ToStatistics());
        }
        foreach (var row in nodeRows.Values)
        {
            current.Merge(row.ToStatistics());
        }
        Subtract(current, bucket.Removed, range);
        current.Merge(bucket.Added);

        foreach (var key in edgeKeys)
        {
            var row = edgeRows.GetValueOrDefault(key);
            if (current.Edges.TryGetValue(key, out var edge))
            {
                if (row is null)
                {
                    // The key is set before the row is tracked: the tracker keys rows on Add.
                    row = new EdgeStatisticsRow { Resolution = range.Resolution, BucketStartUnixMs = range.FromUnixMs };
                    row.Set(edge);
                    db.EdgeStatistics.Add(row);
                }
                else
                {
                    row.Set(edge);
                }
            }
            else if (row is not null)
            {
                db.EdgeStatistics.Remove(row);
            }
        }
        foreach (var name in nodeNames)
        {
            var row = nodeRows.GetValueOrDefault(name);
            if (current.Nodes.TryGetValue(name, out var node))
            {
                if (row is null)
                {
                    // The key is set before the row is tracked: the tracker keys rows on Add.
                    row = new NodeStatisticsRow { Resolution = range.Resolution, BucketStartUnixMs = range.FromUnixMs };
                    row.Set(node);
                    db.NodeStatistics.Add(row);
                }
                else
                {
                    row.Set(node);
                }
            }
            else if (row is not null)
            {
                db.NodeStatistics.Remove(row);
            }
        }
    }

    /// <summary>
    /// Takes the earlier links back out. Only a bucket deleted by retention while its trace's raw
    /// spans were kept can miss them; then whatever is still there is taken out edge by edge.
    /// </summary>
    private void Subtract(GraphStatistics current, GraphStatistics removed, BucketRange range)
    {
        try
        {
            current.Subtract(removed);
            return;
        }
        catch (InvalidOperationException exception)
        {
            LogSubtractMissing(logger, exception, range.Resolution, range.FromUnixMs);
        }
        foreach (var edge in removed.Edges.Values)
        {
            var one = new GraphStatistics();
            one.Merge(edge);
            TrySubtract(current, one);
        }
        foreach (var node in removed.Nodes.Values)
        {
            var one = new GraphStatistics();
            one.Merge(node);
            TrySubtract(current, one);
        }
    }

    private static void TrySubtract(GraphStatistics current, GraphStatistics one)
    {
        try
        {
            current.Subtract(one);
        }
        catch (InvalidOperationException)
        {
            // Already gone with its bucket; the warning above was logged once for the bucket.
        }
    }

    private async Task ApplyLinksAsync(BucketRange range, BucketDelta bucket, CancellationToken cancellationToken)
    {
        if (bucket.Links.Count == 0)
        {
            return;
        }
        var rows = (await db.ZipkinLinks.In(range).ToListAsync(cancellationToken))
            .ToDictionary(r => (r.Parent, r.Child));
        foreach (var ((parent, child), (calls, errors)) in bucket.Links)
        {
            if (calls == 0 && errors == 0)
            {
                continue;
            }
            if (!rows.TryGetValue((parent, child), out var row))
            {
                row = new ZipkinLinkRow { Resolution = range.Resolution, BucketStartUnixMs = range.FromUnixMs, Parent = parent, Child = child };
                db.ZipkinLinks.Add(row);
            }
            row.CallCount = Math.Max(0, row.CallCount + calls);
            row.ErrorCount = Math.Clamp(row.ErrorCount + errors, 0, row.CallCount);
            if (row.CallCount == 0)
            {
                db.ZipkinLinks.Remove(row);
            }
        }
    }

    private async Task ApplyReliabilityAsync(BucketRange range, BucketDelta bucket, CancellationToken cancellationToken)
    {
        if (bucket.AddedReliability.IsEmpty && bucket.RemovedReliability.IsEmpty)
        {
            return;
        }
        var row = await db.ReliabilityStatistics.In(range).SingleOrDefaultAsync(cancellationToken);
        var statistics = row?.ToStatistics() ?? new ReliabilityStatistics();
        statistics.Subtract(bucket.RemovedReliability);
        statistics.Add(bucket.AddedReliability);
        if (statistics.IsEmpty)
        {
            if (row is not null)
            {
                db.ReliabilityStatistics.Remove(row);
            }
            return;
        }
        if (row is null)
        {
            row = new ReliabilityStatisticsRow { Resolution = range.Resolution, BucketStartUnixMs = range.FromUnixMs };
            db.ReliabilityStatistics.Add(row);
        }
        row.Traces = statistics.Traces;
        row.Blob = statistics.ToBytes();
    }

    private static EdgeKey Key(EdgeStatisticsRow row) =>
        new(row.Caller, row.Callee, (Core.Linking.ConnectionType)row.ConnectionType);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The {Resolution} bucket at {BucketStartUnixMs} no longer holds a re-linked trace's earlier calls (deleted by retention?); taking out what is left")]
    private static partial void LogSubtractMissing(ILogger logger, Exception exception, BucketResolution resolution, long bucketStartUnixMs);
}

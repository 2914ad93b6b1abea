using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using DepMap.Storage;
using DepMap.Storage.Statistics;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Applies a <see cref="StatisticsDelta"/> to the statistics rows: load the bucket's rows, subtract
/// and add in memory with Core's rules, and queue what changed and what fell to zero on
/// <see cref="Rows"/>, which the caller writes inside its transaction. One writer serves a whole run:
/// a bucket's graph statistics stay cached from one batch to the next while batches keep touching
/// it, as reading and deserialising every edge of a busy bucket again for each batch cost more than
/// the linking. The run holds the aggregation gate, so no other writer changes the rows meanwhile;
/// a batch that fails ends the run, and its writer with it.
/// </summary>
internal sealed partial class StatisticsWriter(DepMapDbContext db, ILogger logger)
{
    private readonly Dictionary<(BucketResolution, long), GraphStatistics> _graphs = [];

    public StatisticsRowWriter Rows { get; private set; } = new();

    /// <summary>Queues the rows <paramref name="delta"/> changes on a fresh <see cref="Rows"/>.</summary>
    public async Task ApplyAsync(StatisticsDelta delta, CancellationToken cancellationToken)
    {
        Rows = new StatisticsRowWriter();
        foreach (var stale in _graphs.Keys.Where(key => !delta.Buckets.ContainsKey(key)).ToList())
        {
            _graphs.Remove(stale);
        }
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
        var key = (range.Resolution, range.FromUnixMs);
        if (!_graphs.TryGetValue(key, out var current))
        {
            current = new GraphStatistics();
            foreach (var row in await db.EdgeStatistics.AsNoTracking().In(range).ToListAsync(cancellationToken))
            {
                current.Merge(row.ToStatistics());
            }
            foreach (var row in await db.NodeStatistics.AsNoTracking().In(range).ToListAsync(cancellationToken))
            {
                current.Merge(row.ToStatistics());
            }
            _graphs.Add(key, current);
        }
        var edgeKeys = bucket.Added.Edges.Keys.Union(bucket.Removed.Edges.Keys)
            .Select(edge => (Key: edge, Stored: current.Edges.ContainsKey(edge))).ToList();
        var nodeNames = bucket.Added.Nodes.Keys.Union(bucket.Removed.Nodes.Keys, StringComparer.Ordinal)
            .Select(name => (Name: name, Stored: current.Nodes.ContainsKey(name))).ToList();

        Subtract(current, bucket.Removed, range);
        current.Merge(bucket.Added);

        foreach (var (edgeKey, stored) in edgeKeys)
        {
            if (current.Edges.TryGetValue(edgeKey, out var edge))
            {
                var row = new EdgeStatisticsRow { Resolution = range.Resolution, BucketStartUnixMs = range.FromUnixMs };
                row.Set(edge);
                Rows.Upsert(row);
            }
            else if (stored)
            {
                Rows.Delete(new EdgeStatisticsRow
                {
                    Resolution = range.Resolution,
                    BucketStartUnixMs = range.FromUnixMs,
                    Caller = edgeKey.Caller,
                    Callee = edgeKey.Callee,
                    ConnectionType = (byte)edgeKey.ConnectionType,
                });
            }
        }
        foreach (var (name, stored) in nodeNames)
        {
            if (current.Nodes.TryGetValue(name, out var node))
            {
                var row = new NodeStatisticsRow { Resolution = range.Resolution, BucketStartUnixMs = range.FromUnixMs };
                row.Set(node);
                Rows.Upsert(row);
            }
            else if (stored)
            {
                Rows.Delete(new NodeStatisticsRow { Resolution = range.Resolution, BucketStartUnixMs = range.FromUnixMs, Name = name });
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
        var rows = (await db.ZipkinLinks.AsNoTracking().In(range).ToListAsync(cancellationToken))
            .ToDictionary(r => (r.Parent, r.Child));
        foreach (var ((parent, child), (calls, errors)) in bucket.Links)
        {
            if (calls == 0 && errors == 0)
            {
                continue;
            }
            var existed = rows.TryGetValue((parent, child), out var row);
            row ??= new ZipkinLinkRow { Resolution = range.Resolution, BucketStartUnixMs = range.FromUnixMs, Parent = parent, Child = child };
            row.CallCount = Math.Max(0, row.CallCount + calls);
            row.ErrorCount = Math.Clamp(row.ErrorCount + errors, 0, row.CallCount);
            if (row.CallCount > 0)
            {
                Rows.Upsert(row);
            }
            else if (existed)
            {
                Rows.Delete(row);
            }
        }
    }

    private async Task ApplyReliabilityAsync(BucketRange range, BucketDelta bucket, CancellationToken cancellationToken)
    {
        if (bucket.AddedReliability.IsEmpty && bucket.RemovedReliability.IsEmpty)
        {
            return;
        }
        var row = await db.ReliabilityStatistics.AsNoTracking().In(range).SingleOrDefaultAsync(cancellationToken);
        var statistics = row?.ToStatistics() ?? new ReliabilityStatistics();
        statistics.Subtract(bucket.RemovedReliability);
        statistics.Add(bucket.AddedReliability);
        if (statistics.IsEmpty)
        {
            if (row is not null)
            {
                Rows.Delete(row);
            }
            return;
        }
        row ??= new ReliabilityStatisticsRow { Resolution = range.Resolution, BucketStartUnixMs = range.FromUnixMs };
        row.Traces = statistics.Traces;
        row.Blob = statistics.ToBytes();
        Rows.Upsert(row);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The {Resolution} bucket at {BucketStartUnixMs} no longer holds a re-linked trace's earlier calls (deleted by retention?); taking out what is left")]
    private static partial void LogSubtractMissing(ILogger logger, Exception exception, BucketResolution resolution, long bucketStartUnixMs);
}

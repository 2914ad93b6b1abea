using DepMap.Core.Aggregation;
using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DepMap.Storage.Statistics;

/// <summary>
/// The statistics of the buckets a run touches, in memory: applying a <see cref="StatisticsDelta"/>
/// loads a bucket's rows the first time, subtracts and adds with Core's rules, and returns what
/// changed and what fell to zero as a <see cref="StatisticsRowWriter"/>, which the caller writes
/// inside its transaction (this class reads rows, it never writes them).
/// One instance serves a whole run and keeps each bucket it touched in memory while batches keep
/// touching it: reading and deserialising every edge of a busy bucket again for each batch cost
/// more than the linking, and a batch may be prepared while the previous one is still committing,
/// when the database does not hold that batch's rows yet. The run holds the aggregation gate (and on
/// PostgreSQL the advisory lock every instance's runs take), so no other writer changes the rows
/// meanwhile; a batch that fails ends the run, and these buckets with it.
/// Every queued row is written from these buckets' statistics while the next batch is linked
/// (<see cref="StatisticsRowWriter.StartPacking"/>), and the next batch changes them only once that
/// is done, so a row holds its batch's statistics, never a later one's.
/// </summary>
internal sealed partial class StatisticsBuckets(DepMapDbContext db, ILogger logger)
{
    private readonly Dictionary<(BucketResolution, long), BucketState> _buckets = [];
    // The last batch's packs, written from these buckets' statistics: they change only once it is done.
    private Task _packing = Task.CompletedTask;

    /// <summary>Everything stored in one bucket, as of the last batch applied.</summary>
    private sealed class BucketState
    {
        public required GraphStatistics Graph { get; set; }
        public required Dictionary<(string Parent, string Child), (long Calls, long Errors)> Links { get; init; }
        public required ReliabilityStatistics Reliability { get; set; }
    }

    /// <summary>The rows <paramref name="delta"/> changes, to write in the batch's transaction.</summary>
    public async Task<StatisticsRowWriter> ApplyAsync(StatisticsDelta delta, CancellationToken cancellationToken)
    {
        await _packing;
        var rows = new StatisticsRowWriter();
        foreach (var stale in _buckets.Keys.Where(key => !delta.Buckets.ContainsKey(key)).ToList())
        {
            _buckets.Remove(stale);
        }
        // An hour of a single minute shares that minute's delta; an hour of several is a merged copy of its own.
        var minuteDeltas = new HashSet<BucketDelta>(ReferenceEqualityComparer.Instance);
        foreach (var ((resolution, _), bucket) in delta.Buckets)
        {
            if (resolution == BucketResolution.Minute)
            {
                minuteDeltas.Add(bucket);
            }
        }
        await LoadMissingAsync(delta, cancellationToken);
        foreach (var ((resolution, start), bucket) in delta.Buckets)
        {
            var range = new BucketRange(resolution, start, start + 1);
            var state = _buckets[(resolution, start)];
            // A delta that is no other bucket's may become this bucket's state as it is.
            var own = resolution == BucketResolution.Minute || !minuteDeltas.Contains(bucket);
            if (bucket.Minutes is { } minutes && bucket.RemovesNothing
                && state.Graph.TryMergeEach(minutes.Select(minute => minute.Added).ToList()))
            {
                // An hour of several minutes, nothing taken out (a rebuild, or traces linked once):
                // the minutes go into the hour one by one, never summed into a copy of their own.
                QueueGraphRow(range, state.Graph, minutes.Any(static minute => !minute.Added.IsEmpty), rows);
            }
            else
            {
                if (state.Graph.IsEmpty && bucket.Removed.IsEmpty && own)
                {
                    // A minute seen for the first time (every minute of a rebuild) becomes its delta as is,
                    // rather than a copy of it; so does an hour whose delta is its own merged copy. Not an
                    // hour sharing its one minute's delta: the minute's state would change with the hour's.
                    state.Graph = bucket.Added;
                }
                else
                {
                    MergeGraph(range, state.Graph, bucket);
                }
                QueueGraphRow(range, state.Graph, !bucket.Added.IsEmpty || !bucket.Removed.IsEmpty, rows);
            }
            ApplyLinks(range, state.Links, bucket, rows);
            ApplyReliability(range, state, bucket, own, rows);
        }
        rows.StartPacking();
        _packing = rows.Packing;
        return rows;
    }

    /// <summary>
    /// Reads the stored rows of every bucket of <paramref name="delta"/> not held yet, consecutive
    /// buckets in one range per table: a rebuild's batch touches a quarter of an hour of new minutes,
    /// and four queries for each of them cost more than their rows.
    /// </summary>
    private async Task LoadMissingAsync(StatisticsDelta delta, CancellationToken cancellationToken)
    {
        var missing = delta.Buckets.Keys.Where(key => !_buckets.ContainsKey(key)).Order().ToList();
        var first = 0;
        for (var i = 1; i <= missing.Count; i++)
        {
            var (resolution, start) = missing[first];
            if (i < missing.Count && missing[i] == (resolution, missing[i - 1].StartUnixMs + StatisticsBucket.Width(resolution)))
            {
                continue;
            }
            var range = new BucketRange(resolution, start, missing[i - 1].StartUnixMs + 1);
            var loaded = missing.Skip(first).Take(i - first)
                .ToDictionary(key => key, _ => new BucketState { Graph = new GraphStatistics(), Links = [], Reliability = new ReliabilityStatistics() });
            await LoadAsync(range, loaded, cancellationToken);
            // Held only once read whole: a read that fails leaves no bucket looking empty.
            foreach (var (key, state) in loaded)
            {
                _buckets.Add(key, state);
            }
            first = i;
        }
    }

    /// <summary>Adds the stored rows of <paramref name="range"/>'s buckets to their <paramref name="states"/>, just made empty.</summary>
    private async Task LoadAsync(BucketRange range, Dictionary<(BucketResolution, long), BucketState> states, CancellationToken cancellationToken)
    {
        BucketState StateOf(IBucketRow row) => states[(row.Resolution, row.BucketStartUnixMs)];

        foreach (var row in await db.GraphBuckets.AsNoTracking().In(range).ToListAsync(cancellationToken))
        {
            StatisticsPack.MergeInto(StateOf(row).Graph, row.Edges, row.Nodes);
        }
        foreach (var row in await db.ZipkinLinkPacks.AsNoTracking().In(range).ToListAsync(cancellationToken))
        {
            StatisticsPack.AddLinks(row.Links, StateOf(row).Links);
        }
        foreach (var row in await db.ReliabilityStatistics.AsNoTracking().In(range).ToListAsync(cancellationToken))
        {
            StateOf(row).Reliability = row.ToStatistics();
        }
    }

    private void MergeGraph(BucketRange range, GraphStatistics current, BucketDelta bucket)
    {
        Subtract(current, bucket.Removed, range);
        current.Merge(bucket.Added);
    }

    /// <summary>
    /// Queues the bucket's row when its delta <paramref name="changed"/> anything: <paramref name="current"/>
    /// whole, every edge and node of it, or the row's deletion once nothing is left. When it was
    /// never stored, the delete finds no row.
    /// </summary>
    private static void QueueGraphRow(BucketRange range, GraphStatistics current, bool changed, StatisticsRowWriter rows)
    {
        if (!changed)
        {
            return;
        }
        if (current.IsEmpty)
        {
            rows.DeleteGraph(range.Resolution, range.FromUnixMs);
        }
        else
        {
            rows.Upsert(range.Resolution, range.FromUnixMs, current);
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

    /// <summary>
    /// Adds the delta's Zipkin links to the bucket's and queues the bucket's pack of them whole when
    /// any changed, or its deletion once none is left.
    /// </summary>
    private static void ApplyLinks(BucketRange range, Dictionary<(string Parent, string Child), (long Calls, long Errors)> current, BucketDelta bucket, StatisticsRowWriter rows)
    {
        var stored = current.Count > 0;
        var changed = false;
        if (!stored)
        {
            // A bucket seen for the first time (every one of a rebuild) takes all of the delta's links.
            current.EnsureCapacity(bucket.Links.Count);
        }
        foreach (var ((parent, child), (calls, errors)) in bucket.Links)
        {
            if (calls == 0 && errors == 0)
            {
                continue;
            }
            var sum = current.GetValueOrDefault((parent, child));
            var callCount = Math.Max(0, sum.Calls + calls);
            var errorCount = Math.Clamp(sum.Errors + errors, 0, callCount);
            if (callCount > 0)
            {
                current[(parent, child)] = (callCount, errorCount);
                changed = true;
            }
            else if (current.Remove((parent, child)))
            {
                changed = true;
            }
        }
        if (!changed)
        {
            return;
        }
        if (current.Count > 0)
        {
            rows.UpsertLinks(range.Resolution, range.FromUnixMs, current);
        }
        else if (stored)
        {
            rows.DeleteLinks(range.Resolution, range.FromUnixMs);
        }
    }

    /// <summary>
    /// Applies the delta's reliability facts as the graph statistics are applied: an hour of several
    /// minutes, nothing taken out, adds the minutes one by one rather than a summed copy; a bucket
    /// seen for the first time takes a delta that is its <paramref name="own"/> as it is.
    /// </summary>
    private static void ApplyReliability(BucketRange range, BucketState state, BucketDelta bucket, bool own, StatisticsRowWriter rows)
    {
        var current = state.Reliability;
        var stored = !current.IsEmpty;
        if (bucket.Minutes is { } minutes && minutes.All(static minute => minute.RemovedReliability.IsEmpty))
        {
            if (minutes.All(static minute => minute.AddedReliability.IsEmpty))
            {
                return;
            }
            foreach (var minute in minutes)
            {
                current.Add(minute.AddedReliability);
            }
        }
        else if (bucket.AddedReliability.IsEmpty && bucket.RemovedReliability.IsEmpty)
        {
            return;
        }
        else if (!stored && own && bucket.RemovedReliability.IsEmpty)
        {
            state.Reliability = current = bucket.AddedReliability;
        }
        else
        {
            current.Subtract(bucket.RemovedReliability);
            current.Add(bucket.AddedReliability);
        }
        if (!current.IsEmpty)
        {
            rows.Upsert(range.Resolution, range.FromUnixMs, current);
        }
        else if (stored)
        {
            rows.Delete(new ReliabilityStatisticsRow { Resolution = range.Resolution, BucketStartUnixMs = range.FromUnixMs });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The {Resolution} bucket at {BucketStartUnixMs} no longer holds a re-linked trace's earlier calls (deleted by retention?); taking out what is left")]
    private static partial void LogSubtractMissing(ILogger logger, Exception exception, BucketResolution resolution, long bucketStartUnixMs);
}

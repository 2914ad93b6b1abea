using System.Runtime.InteropServices;
using DepMap.Core.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Statistics;

namespace DepMap.Core.Aggregation;

/// <summary>A bucket's change: what to take out (earlier links of re-linked traces), then what to add.</summary>
public sealed class BucketDelta
{
    private readonly List<BucketDelta>? _minutes;
    private GraphStatistics? _removed;
    private GraphStatistics? _added;
    private ReliabilityStatistics? _removedReliability;
    private ReliabilityStatistics? _addedReliability;

    public BucketDelta()
    {
    }

    private BucketDelta(List<BucketDelta> minutes) => _minutes = minutes;

    /// <summary>For an hour summed from several minutes, their sum: made on first use (see <see cref="Minutes"/>).</summary>
    public GraphStatistics Removed => _removed ??= Sum(static minute => minute.Removed, static (sum, part) => sum.Merge(part));

    /// <summary>For an hour summed from several minutes, their sum: made on first use (see <see cref="Minutes"/>).</summary>
    public GraphStatistics Added => _added ??= Sum(static minute => minute.Added, static (sum, part) => sum.Merge(part));

    public Dictionary<(string Parent, string Child), (long Calls, long Errors)> Links { get; } = [];

    /// <summary>For an hour summed from several minutes, their sum: made on first use, as the graph statistics' are.</summary>
    public ReliabilityStatistics RemovedReliability => _removedReliability ??= Sum(static minute => minute.RemovedReliability, static (sum, part) => sum.Add(part));

    /// <summary>For an hour summed from several minutes, their sum: made on first use, as the graph statistics' are.</summary>
    public ReliabilityStatistics AddedReliability => _addedReliability ??= Sum(static minute => minute.AddedReliability, static (sum, part) => sum.Add(part));

    /// <summary>
    /// The minutes, in order, whose graph statistics an hour of several sums; null for a minute and
    /// for an hour sharing its one minute's delta. A reader that adds the minutes to the hour one by
    /// one (<see cref="GraphStatistics.TryMergeEach"/>) never builds the sum: building it took a
    /// copy of every edge of the hour, sketches and all, for every batch.
    /// </summary>
    public IReadOnlyList<BucketDelta>? Minutes => _minutes;

    /// <summary>True when nothing is taken out of the graph statistics (no trace re-linked), without building a sum.</summary>
    public bool RemovesNothing => _minutes is null ? _removed is null || _removed.IsEmpty : _minutes.TrueForAll(minute => minute.RemovesNothing);

    /// <summary>An hour's delta summed from <paramref name="minutes"/>: its links now, its graph and reliability statistics when first read.</summary>
    internal static BucketDelta SumOf(List<BucketDelta> minutes)
    {
        var hour = new BucketDelta(minutes);
        foreach (var minute in minutes)
        {
            hour.MergeLinks(minute);
        }
        return hour;
    }

    /// <summary>
    /// Sizes this minute's tables as <paramref name="other"/>'s, the minute before it: a minute of a
    /// busy system has the edges, services and links the last one had, and tables grown entry by
    /// entry for every minute of a batch left two smaller copies of each behind.
    /// </summary>
    internal void ReserveLike(BucketDelta other)
    {
        Links.EnsureCapacity(other.Links.Count);
        if (other._added is { } added)
        {
            Added.ReserveLike(added);
        }
        if (other._addedReliability is { } reliability)
        {
            AddedReliability.ReserveLike(reliability);
        }
    }

    private void MergeLinks(BucketDelta other)
    {
        foreach (var (key, (calls, errors)) in other.Links)
        {
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(Links, key, out _);
            sum = (sum.Calls + calls, sum.Errors + errors);
        }
    }

    // The minutes in the order an eager sum merged them, so the sum is the same whenever it is made.
    private T Sum<T>(Func<BucketDelta, T> side, Action<T, T> add)
        where T : new()
    {
        var sum = new T();
        if (_minutes is not null)
        {
            foreach (var minute in _minutes)
            {
                add(sum, side(minute));
            }
        }
        return sum;
    }
}

/// <summary>
/// The statistics change of a batch of linked traces, per bucket. Every call goes to the minute of
/// its start, and a trace's reliability facts to the minute of the trace's start; each hour bucket
/// is the sum of its minutes, so the hour rollup is exact without a second pass and without
/// counting every call twice.
/// </summary>
public sealed class StatisticsDelta
{
    private readonly Dictionary<long, BucketDelta> _minutes = [];
    private Dictionary<(BucketResolution Resolution, long StartUnixMs), BucketDelta>? _buckets;
    // The minute made last, whose sizes the next one takes (BucketDelta.ReserveLike).
    private BucketDelta? _newest;

    /// <summary>The minute buckets and the hour buckets summed from them.</summary>
    public IReadOnlyDictionary<(BucketResolution Resolution, long StartUnixMs), BucketDelta> Buckets => _buckets ??= WithHours();

    public bool IsEmpty => _minutes.Count == 0;

    public void Add(TraceLink link) => Apply(link, added: true);

    public void Remove(TraceLink link) => Apply(link, added: false);

    private void Apply(TraceLink link, bool added)
    {
        _buckets = null;
        var depMap = link.DepMap;
        if (OnlyBucket(depMap) is { } only)
        {
            var delta = Minute(only);
            (added ? delta.Added : delta.Removed).Add(depMap);
        }
        else
        {
            foreach (var (bucket, part) in SplitByBucket(depMap))
            {
                var delta = Minute(bucket);
                (added ? delta.Added : delta.Removed).Add(part);
            }
        }
        // Zipkin's DependencyLinker counts every call of the view per (parent, child), failed or not.
        var sign = added ? 1 : -1;
        foreach (var call in link.Zipkin.CallItems)
        {
            var links = Minute(StatisticsBucket.StartOf(call.StartUnixNano, BucketResolution.Minute)).Links;
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(links, (call.Caller, call.Callee), out _);
            sum = (sum.Calls + sign, sum.Errors + (call.Failed ? sign : 0));
        }
        if (link.Reliability.Services.Count > 0 || link.Reliability.Edges.Count > 0)
        {
            var delta = Minute(StatisticsBucket.StartOf(link.StartUnixNano, BucketResolution.Minute));
            (added ? delta.AddedReliability : delta.RemovedReliability).Add(link.Reliability);
        }
    }

    /// <summary>
    /// An hour holding a single minute shares that minute's delta instead of a merged copy: the
    /// writer only reads the deltas, and a run's traces mostly fall in one minute of one hour.
    /// </summary>
    private Dictionary<(BucketResolution, long), BucketDelta> WithHours()
    {
        var minutesPerHour = new Dictionary<long, int>();
        foreach (var minute in _minutes.Keys)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(minutesPerHour, StatisticsBucket.FloorMs(minute, StatisticsBucket.HourMs), out _)++;
        }
        var buckets = new Dictionary<(BucketResolution, long), BucketDelta>(_minutes.Count + minutesPerHour.Count);
        var hours = new Dictionary<long, List<BucketDelta>>();
        foreach (var (minute, delta) in _minutes)
        {
            buckets.Add((BucketResolution.Minute, minute), delta);
            var hourStart = StatisticsBucket.FloorMs(minute, StatisticsBucket.HourMs);
            if (minutesPerHour[hourStart] == 1)
            {
                buckets.Add((BucketResolution.Hour, hourStart), delta);
                continue;
            }
            if (!hours.TryGetValue(hourStart, out var minutes))
            {
                hours.Add(hourStart, minutes = []);
                // Its place among the buckets is where the eager sum's was: at its first minute.
                buckets.Add((BucketResolution.Hour, hourStart), null!);
            }
            minutes.Add(delta);
        }
        foreach (var (hourStart, minutes) in hours)
        {
            buckets[(BucketResolution.Hour, hourStart)] = BucketDelta.SumOf(minutes);
        }
        return buckets;
    }

    private BucketDelta Minute(long start)
    {
        if (!_minutes.TryGetValue(start, out var delta))
        {
            delta = new BucketDelta();
            if (_newest is { } before)
            {
                delta.ReserveLike(before);
            }
            _minutes.Add(start, delta);
            _newest = delta;
        }
        return delta;
    }

    /// <summary>The minute every call of the trace starts in, the common case; null when none or several.</summary>
    private static long? OnlyBucket(LinkedTrace trace)
    {
        long? only = null;
        foreach (var call in trace.CallItems)
        {
            if (!Same(ref only, StatisticsBucket.StartOf(call.StartUnixNano, BucketResolution.Minute)))
            {
                return null;
            }
        }
        foreach (var call in trace.UnnamedCallItems)
        {
            if (!Same(ref only, StatisticsBucket.StartOf(call.StartUnixNano, BucketResolution.Minute)))
            {
                return null;
            }
        }
        return only;
    }

    /// <summary>The trace's calls per minute of their start, for a trace spanning several minutes.</summary>
    private static IEnumerable<(long Bucket, LinkedTrace Part)> SplitByBucket(LinkedTrace trace)
    {
        var calls = trace.Calls.GroupBy(c => StatisticsBucket.StartOf(c.StartUnixNano, BucketResolution.Minute)).ToDictionary(g => g.Key, g => g.ToList());
        var unnamed = trace.UnnamedCalls.GroupBy(c => StatisticsBucket.StartOf(c.StartUnixNano, BucketResolution.Minute)).ToDictionary(g => g.Key, g => g.ToList());
        return calls.Keys.Union(unnamed.Keys).Select(bucket => (bucket, new LinkedTrace(
            calls.GetValueOrDefault(bucket) ?? [],
            unnamed.GetValueOrDefault(bucket) ?? [])));
    }

    private static bool Same(ref long? only, long bucket)
    {
        if (only is null)
        {
            only = bucket;
            return true;
        }
        return only == bucket;
    }
}

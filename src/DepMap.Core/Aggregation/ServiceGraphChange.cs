using System.Runtime.InteropServices;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;

namespace DepMap.Core.Aggregation;

/// <summary>
/// What one aggregation batch changes in Tempo's service-graph series: per edge (client, server,
/// connection type), the calls its traces added minus the calls a re-link took out, and the same
/// for each latency histogram's buckets. Built beside the statistics delta and handed to
/// the host's service-graph metrics only once the batch has committed (a batch a crash undid is never counted).
/// </summary>
public sealed class ServiceGraphChange
{
    private readonly Dictionary<EdgeKey, SeriesChange> _series = [];
    private readonly Dictionary<string, long> _unpaired = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<EdgeKey, SeriesChange> Series => _series;

    /// <summary>Client and producer spans whose peer could not be named, per calling service.</summary>
    public IReadOnlyDictionary<string, long> Unpaired => _unpaired;

    public bool IsEmpty => _series.Count == 0 && _unpaired.Count == 0;

    public void Add(LinkedTrace trace) => Apply(trace, 1);

    public void Remove(LinkedTrace trace) => Apply(trace, -1);

    /// <summary>Adds <paramref name="other"/> to this change (a series waiting for its first scrape).</summary>
    public void Merge(ServiceGraphChange other)
    {
        foreach (var (key, series) in other._series)
        {
            SeriesOf(key).Merge(series);
        }
        foreach (var (client, count) in other._unpaired)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_unpaired, client, out _) += count;
        }
    }

    private void Apply(LinkedTrace trace, int sign)
    {
        foreach (var call in trace.CallItems)
        {
            var series = SeriesOf(new EdgeKey(call.Caller, call.Callee, call.ConnectionType));
            series.Calls += sign;
            if (call.Failed)
            {
                series.Failed += sign;
            }
            // Every call is observed once on each side, as Tempo does, so _count equals the request
            // count (Grafana divides _sum by it). A side that was not reported takes the other's
            // duration, as DepMap's served latency does: a database's time as its caller saw it.
            if ((call.ServerDurationNano ?? call.ClientDurationNano) is { } server)
            {
                series.Server.Add(server, sign);
            }
            if ((call.ClientDurationNano ?? call.ServerDurationNano) is { } client)
            {
                series.Client.Add(client, sign);
            }
            if (call.QueueDelayNano is { } queue)
            {
                series.Messaging.Add(queue, sign);
            }
        }
        foreach (var unnamed in trace.UnnamedCallItems)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_unpaired, unnamed.Caller, out _) += sign;
        }
    }

    private SeriesChange SeriesOf(EdgeKey key)
    {
        ref var series = ref CollectionsMarshal.GetValueRefOrAddDefault(_series, key, out _);
        return series ??= new SeriesChange();
    }
}

/// <summary>One series' change: net calls, net failures and the net change of each histogram.</summary>
public sealed class SeriesChange
{
    public long Calls { get; set; }
    public long Failed { get; set; }
    public BucketChange Server { get; } = new();
    public BucketChange Client { get; } = new();
    public BucketChange Messaging { get; } = new();

    public void Merge(SeriesChange other)
    {
        Calls += other.Calls;
        Failed += other.Failed;
        Server.Merge(other.Server);
        Client.Merge(other.Client);
        Messaging.Merge(other.Messaging);
    }
}

/// <summary>
/// The net change of one histogram per Tempo bucket: count and sum (seconds) of the durations
/// added, less those taken out. Kept per bucket rather than per call, so a batch of a hundred
/// thousand spans holds a few numbers per edge.
/// </summary>
public sealed class BucketChange
{
    /// <summary>
    /// Tempo's default service-graph buckets (seconds): prometheus.ExponentialBuckets(0.1, 2, 8) in
    /// modules/generator/processor/servicegraphs/config.go; the last bucket is +Inf.
    /// </summary>
    public static readonly double[] Bounds = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8];

    private readonly long[] _counts = new long[Bounds.Length + 1];
    private readonly double[] _sums = new double[Bounds.Length + 1];

    public bool IsEmpty => Array.TrueForAll(_counts, c => c == 0);

    public long Count(int bucket) => _counts[bucket];

    public double Sum(int bucket) => _sums[bucket];

    public void Add(long nanos, int sign)
    {
        var seconds = nanos / 1e9;
        var bucket = BucketOf(seconds);
        _counts[bucket] += sign;
        _sums[bucket] += sign * seconds;
    }

    public void Merge(BucketChange other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
            _sums[i] += other._sums[i];
        }
    }

    /// <summary>The bucket a duration falls in: Prometheus' upper bounds are inclusive (<c>le</c>).</summary>
    public static int BucketOf(double seconds)
    {
        var i = 0;
        while (i < Bounds.Length && seconds > Bounds[i])
        {
            i++;
        }
        return i;
    }

    /// <summary>
    /// A value standing for <paramref name="count"/> durations summing to <paramref name="sum"/> in
    /// <paramref name="bucket"/>: their mean, kept inside the bucket (a batch that added and took
    /// out durations of one bucket can leave a mean outside it).
    /// </summary>
    public static double Representative(int bucket, long count, double sum)
    {
        var mean = sum / count;
        var upper = bucket < Bounds.Length ? Bounds[bucket] : double.PositiveInfinity;
        var lower = bucket == 0 ? 0 : Math.BitIncrement(Bounds[bucket - 1]);
        return Math.Clamp(mean, lower, upper);
    }
}

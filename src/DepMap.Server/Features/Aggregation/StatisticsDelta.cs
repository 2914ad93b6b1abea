using DepMap.Core.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using DepMap.Storage.Statistics;

namespace DepMap.Server.Features.Aggregation;

/// <summary>A bucket's change: what to take out (earlier links of re-linked traces), then what to add.</summary>
internal sealed class BucketDelta
{
    public GraphStatistics Removed { get; } = new();
    public GraphStatistics Added { get; } = new();
    public Dictionary<(string Parent, string Child), (long Calls, long Errors)> Links { get; } = [];
    public ReliabilityStatistics RemovedReliability { get; } = new();
    public ReliabilityStatistics AddedReliability { get; } = new();
}

/// <summary>
/// The statistics change of a batch of linked traces, per bucket. Every call goes to the minute and
/// the hour of its start, so the hour rollup is exact without a second pass; a trace's reliability
/// facts go to the buckets of the trace's start.
/// </summary>
internal sealed class StatisticsDelta
{
    private static readonly BucketResolution[] Resolutions = [BucketResolution.Minute, BucketResolution.Hour];

    public Dictionary<(BucketResolution Resolution, long StartUnixMs), BucketDelta> Buckets { get; } = [];

    public bool IsEmpty => Buckets.Count == 0;

    public void Add(TraceLink link) => Apply(link, added: true);

    public void Remove(TraceLink link) => Apply(link, added: false);

    private void Apply(TraceLink link, bool added)
    {
        foreach (var resolution in Resolutions)
        {
            foreach (var (bucket, part) in SplitByBucket(link.DepMap, resolution))
            {
                var delta = Bucket(resolution, bucket);
                (added ? delta.Added : delta.Removed).Add(part);
            }
            foreach (var (bucket, part) in SplitByBucket(link.Zipkin, resolution))
            {
                var links = Bucket(resolution, bucket).Links;
                foreach (var dependency in ZipkinDependencies.Aggregate(part.Calls))
                {
                    var key = (dependency.Parent, dependency.Child);
                    var sign = added ? 1 : -1;
                    links.TryGetValue(key, out var sum);
                    links[key] = (sum.Calls + sign * dependency.CallCount, sum.Errors + sign * dependency.ErrorCount);
                }
            }
            if (link.Reliability.Services.Count > 0 || link.Reliability.Edges.Count > 0)
            {
                var delta = Bucket(resolution, StatisticsBucket.StartOf(link.StartUnixNano, resolution));
                (added ? delta.AddedReliability : delta.RemovedReliability).Add(link.Reliability);
            }
        }
    }

    private BucketDelta Bucket(BucketResolution resolution, long start)
    {
        if (!Buckets.TryGetValue((resolution, start), out var delta))
        {
            delta = new BucketDelta();
            Buckets.Add((resolution, start), delta);
        }
        return delta;
    }

    /// <summary>The trace's calls per bucket of their start; nearly every trace falls in one bucket, returned as is.</summary>
    private static IEnumerable<(long Bucket, LinkedTrace Part)> SplitByBucket(LinkedTrace trace, BucketResolution resolution)
    {
        long? only = null;
        var single = true;
        foreach (var call in trace.Calls)
        {
            single &= Same(ref only, StatisticsBucket.StartOf(call.StartUnixNano, resolution));
        }
        foreach (var call in trace.UnnamedCalls)
        {
            single &= Same(ref only, StatisticsBucket.StartOf(call.StartUnixNano, resolution));
        }
        if (only is null)
        {
            return [];
        }
        if (single)
        {
            return [(only.Value, trace)];
        }
        var calls = trace.Calls.GroupBy(c => StatisticsBucket.StartOf(c.StartUnixNano, resolution)).ToDictionary(g => g.Key, g => g.ToList());
        var unnamed = trace.UnnamedCalls.GroupBy(c => StatisticsBucket.StartOf(c.StartUnixNano, resolution)).ToDictionary(g => g.Key, g => g.ToList());
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

using DepMap.Core.Statistics;

namespace DepMap.Storage.Statistics;

/// <summary>A half-open range of bucket starts at one resolution.</summary>
public readonly record struct BucketRange(BucketResolution Resolution, long FromUnixMs, long ToUnixMs)
{
    public bool IsEmpty => ToUnixMs <= FromUnixMs;
}

/// <summary>
/// The buckets that cover a time window: hour buckets for the whole hours inside it and minute
/// buckets for the ragged ends. A minute bucket that overlaps the window counts whole, since a
/// bucket cannot be split: the window is widened to whole minutes.
/// </summary>
public static class BucketWindow
{
    public static IReadOnlyList<BucketRange> Cover(DateTimeOffset from, DateTimeOffset to)
    {
        var start = StatisticsBucket.FloorMs(from.ToUnixTimeMilliseconds(), StatisticsBucket.MinuteMs);
        var end = StatisticsBucket.CeilMs(to.ToUnixTimeMilliseconds(), StatisticsBucket.MinuteMs);
        if (end <= start)
        {
            return [];
        }
        var firstHour = StatisticsBucket.CeilMs(start, StatisticsBucket.HourMs);
        var lastHour = StatisticsBucket.FloorMs(end, StatisticsBucket.HourMs);
        if (lastHour <= firstHour)
        {
            return [new BucketRange(BucketResolution.Minute, start, end)];
        }
        var ranges = new List<BucketRange>(3)
        {
            new(BucketResolution.Hour, firstHour, lastHour),
            new(BucketResolution.Minute, start, firstHour),
            new(BucketResolution.Minute, lastHour, end),
        };
        return ranges.FindAll(r => !r.IsEmpty);
    }
}

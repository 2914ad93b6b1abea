namespace DepMap.Core.Statistics;

/// <summary>The width of a statistics bucket.</summary>
public enum BucketResolution : byte
{
    Minute = 0,
    Hour = 1,
}

/// <summary>
/// Bucket arithmetic shared by the writer and the readers. A bucket is named by its start in Unix
/// milliseconds and holds what started in [start, start + width).
/// </summary>
public static class StatisticsBucket
{
    public const long MinuteMs = 60_000;
    public const long HourMs = 3_600_000;

    public static long Width(BucketResolution resolution) => resolution == BucketResolution.Hour ? HourMs : MinuteMs;

    /// <summary>The start of the bucket holding <paramref name="unixNano"/> (floored, also before 1970).</summary>
    public static long StartOf(long unixNano, BucketResolution resolution)
    {
        var ms = FloorDiv(unixNano, 1_000_000);
        var width = Width(resolution);
        return FloorDiv(ms, width) * width;
    }

    public static long FloorMs(long unixMs, long width) => FloorDiv(unixMs, width) * width;

    public static long CeilMs(long unixMs, long width) => -FloorDiv(-unixMs, width) * width;

    private static long FloorDiv(long value, long divisor)
    {
        var quotient = value / divisor;
        return value % divisor < 0 ? quotient - 1 : quotient;
    }
}

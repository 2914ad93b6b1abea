using DepMap.Core.Statistics;
using DepMap.Storage.Statistics;

namespace DepMap.Storage.Tests.Statistics;

public class BucketWindowTests
{
    private static readonly DateTimeOffset Midnight = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    [Fact]
    public void Cover_TakesWholeHoursFromHourBucketsAndEndsFromMinutes_WhenWindowSpansAnHour()
    {
        var ranges = BucketWindow.Cover(Midnight.AddMinutes(59.5), Midnight.AddMinutes(120.5));

        Assert.Equal(
            [
                new BucketRange(BucketResolution.Hour, Ms(Midnight.AddHours(1)), Ms(Midnight.AddHours(2))),
                new BucketRange(BucketResolution.Minute, Ms(Midnight.AddMinutes(59)), Ms(Midnight.AddHours(1))),
                new BucketRange(BucketResolution.Minute, Ms(Midnight.AddHours(2)), Ms(Midnight.AddMinutes(121))),
            ],
            ranges);
    }

    [Fact]
    public void Cover_UsesMinutesOnly_WhenNoWholeHourFitsInside()
    {
        var ranges = BucketWindow.Cover(Midnight.AddMinutes(10), Midnight.AddMinutes(70));

        Assert.Equal([new BucketRange(BucketResolution.Minute, Ms(Midnight.AddMinutes(10)), Ms(Midnight.AddMinutes(70)))], ranges);
    }

    [Fact]
    public void Cover_IsEmpty_WhenWindowIsEmpty()
    {
        Assert.Empty(BucketWindow.Cover(Midnight, Midnight));
    }

    [Fact]
    public void StartOf_FloorsTimesBefore1970_WhenNanosecondsAreNegative()
    {
        Assert.Equal(-StatisticsBucket.MinuteMs, StatisticsBucket.StartOf(-1, BucketResolution.Minute));
    }
}

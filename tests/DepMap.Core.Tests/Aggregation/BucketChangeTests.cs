using DepMap.Core.Aggregation;

namespace DepMap.Core.Tests.Aggregation;

public sealed class BucketChangeTests
{
    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.1, 0)] // Prometheus' le is inclusive.
    [InlineData(0.1000001, 1)]
    [InlineData(12.8, 7)]
    [InlineData(13.0, 8)]
    public void BucketOf_FollowsTempoBounds_WithInclusiveUpperBounds(double seconds, int bucket) =>
        Assert.Equal(bucket, BucketChange.BucketOf(seconds));

    [Fact]
    public void Add_KeepsNetCountAndSumPerBucket_WhenARelinkTakesADurationOut()
    {
        var change = new BucketChange();
        change.Add(150_000_000, 1);
        change.Add(160_000_000, 1);
        change.Add(150_000_000, -1);

        Assert.Equal(1, change.Count(1));
        Assert.Equal(0.16, change.Sum(1), 1e-12);
        Assert.Equal(0.16, BucketChange.Representative(1, change.Count(1), change.Sum(1)), 1e-12);
    }

    [Fact]
    public void Representative_StaysInItsBucket_WhenTheNetMeanFallsOutside()
    {
        // Two durations added (0.11 s, 0.19 s) and a 0.19 s one taken out elsewhere in the batch
        // leaves a net of 1 with a sum of 0.11 + 0.19 - 0.19; a skewed mix can leave the mean outside.
        Assert.Equal(0.2, BucketChange.Representative(1, 1, 0.5));
        Assert.True(BucketChange.Representative(1, 1, 0.05) > 0.1);
    }
}

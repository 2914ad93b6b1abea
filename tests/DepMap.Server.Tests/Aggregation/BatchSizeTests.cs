using DepMap.Server.Features.Aggregation;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>
/// A recurring run shares SQLite's write lock with ingest and so commits in smaller batches than a
/// flush; both give a clean run's statistics.
/// </summary>
public class BatchSizeTests
{
    [Theory]
    [InlineData(false, new[] { 1, 2 })]
    [InlineData(true, new[] { 1 })]
    public async Task Run_CommitsOneBatchPerItsBatchSize_AndGivesACleanRunsStatistics(bool flush, int[] expectedCommits)
    {
        // The example's six spans: two recurring batches of four, one flush batch of a hundred.
        using var factory = new AggregationFactory(settings: new()
        {
            ["Aggregation:SpanBatchSize"] = "100",
            ["Aggregation:RecurringSpanBatchSize"] = "4",
        });
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var commits = new List<int>();
        factory.Faults.BeforeCommit = commits.Add;

        var result = await factory.SendAsync(new AggregateSpans(Flush: flush));

        Assert.Equal(expectedCommits, commits);
        Assert.Equal(1L, result.TracesLinked);
        Assert.Equal(await ExactlyOnceTests.CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void Start_FailsNamingTheKey_WhenTheRecurringBatchSizeIsNotPositive(string size)
    {
        using var factory = new AggregationFactory(settings: new() { ["Aggregation:RecurringSpanBatchSize"] = size });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Aggregation:RecurringSpanBatchSize", error.ToString(), StringComparison.Ordinal);
    }
}

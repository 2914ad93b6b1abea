using DepMap.Server.Features.Aggregation;
using DepMap.Storage;
using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;

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

    [Fact]
    public async Task Mark_MovesOnlyFromWhereTheRunFoundIt()
    {
        var folder = DepMapFactory.NewFolder();
        try
        {
            var options = new DbContextOptionsBuilder<DepMapDbContext>().UseDepMapSqlite($"Data Source={Path.Combine(folder, "depmap.db")};Pooling=false").Options;
            await using var db = new DepMapDbContext(options);
            DepMapDatabase.Migrate(db);

            bool Move(long? from, long to)
            {
                using var transaction = db.Database.BeginTransaction();
                var moved = AggregationMark.TryMove(db, from, to);
                transaction.Commit();
                return moved;
            }
            var first = Move(null, 10);
            var stale = Move(5, 20);
            var next = Move(10, 30);

            Assert.Equal((true, false, true), (first, stale, next));
            Assert.Equal(30, (await db.AggregationState.AsNoTracking().SingleAsync()).LastSpanId);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

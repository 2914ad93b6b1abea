using DepMap.Core.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using DepMap.Storage.Statistics;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Tests.Statistics;

public class StatisticsRowWriterTests
{
    private static GraphStatistics Traffic(int calls)
    {
        var statistics = new GraphStatistics();
        for (var i = 0; i < calls; i++)
        {
            statistics.Add(new LinkedTrace([new Call { Caller = "checkout", Callee = "orders", ClientDurationNano = (10 + i) * 1_000_000L, StartUnixNano = 1 }], []));
        }
        return statistics;
    }

    [Fact]
    public async Task Write_StoresThePacksOfTheStatisticsAsTheyWereWhenPacked_AndRefusesBeforeThat()
    {
        using var database = new TempDatabase();
        var statistics = Traffic(3);
        var links = new Dictionary<(string Parent, string Child), (long Calls, long Errors)> { [("checkout", "orders")] = (3, 0) };
        var reliability = new ReliabilityStatistics();
        var rows = new StatisticsRowWriter();
        rows.Upsert(BucketResolution.Minute, 60_000, statistics);
        rows.UpsertLinks(BucketResolution.Minute, 60_000, links);
        rows.Upsert(BucketResolution.Minute, 60_000, reliability);

        await using (var db = database.Open())
        {
            await db.Database.OpenConnectionAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            // Queued but not packed: a write now would store empty packs.
            Assert.Throws<InvalidOperationException>(() => rows.Write(db));
        }

        rows.StartPacking();
        await rows.Packing;
        // What changes after the packing is not in the rows: the next batch's, stored with it.
        statistics.Merge(Traffic(5));
        links[("checkout", "orders")] = (8, 0);
        await using (var db = database.Open())
        {
            await db.Database.OpenConnectionAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            rows.Write(db);
            await transaction.CommitAsync();
        }

        await using (var db = database.Open())
        {
            var graph = await db.GraphBuckets.SingleAsync();
            Assert.Equal(3, Assert.Single(StatisticsPack.ReadEdges(graph.Edges)).CallCount);
            var read = new Dictionary<(string Parent, string Child), (long Calls, long Errors)>();
            StatisticsPack.AddLinks((await db.ZipkinLinkPacks.SingleAsync()).Links, read);
            Assert.Equal((3, 0), read[("checkout", "orders")]);
            Assert.Equal(reliability.ToBytes(), (await db.ReliabilityStatistics.SingleAsync()).Blob);
        }
    }
}

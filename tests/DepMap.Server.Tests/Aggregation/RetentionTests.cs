using DepMap.Core.Statistics;
using DepMap.Server.Features.Retention;
using DepMap.Server.Tests.Features.Graph;
using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Tests.Aggregation;

public class RetentionTests
{
    [Theory]
    [InlineData("20000")]
    [InlineData("1")]
    [InlineData("4")]
    public async Task ApplyRetention_DeletesWhatIsOlderThanEachRetentionAndKeepsTheRest(string deleteBatchSize)
    {
        // One row per transaction, and four (which divides neither the six spans nor the statistics rows).
        // No room in memory: the waiting trace below waits in its row, which retention must keep.
        // Hour buckets kept 10 days, not 400: the fake clock fires the host's one-second timers once
        // per second it passes, and 400 days of them took 20 s a case.
        using var factory = new AggregationFactory(settings: new()
        {
            ["Retention:DeleteBatchSize"] = deleteBatchSize,
            ["Aggregation:WaitingSpansInMemory"] = "0",
            ["Retention:HourBuckets"] = "10.00:00:00",
        });
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        await factory.AggregateAsync();

        // Two days on: a trace taken in but incomplete and within its grace (it waits in its row),
        // and a trace not taken in at all.
        factory.Clock.Advance(TimeSpan.FromDays(2));
        var receiving = Payloads.NewTraceIdLow();
        await PostZipkinAsync(factory, receiving, clientOnly: true);
        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        await PostZipkinAsync(factory, receiving, clientOnly: true);
        await factory.AggregateAsync(flush: false);
        await PostZipkinAsync(factory, Payloads.NewTraceIdLow());
        var afterTwoDays = await factory.SendAsync(new ApplyRetention());
        var rows = await CountsAsync(factory);

        Assert.Equal(new RetentionResult(Spans: 6, Traces: 1, TraceLinks: 0, MinuteRows: 0, HourRows: 0), afterTwoDays);
        // Left: the waiting trace's two client spans and the last trace's two spans, and the waiting trace's row.
        Assert.Equal((Spans: 4, Traces: 1), (rows.Spans, rows.Traces));
        Assert.True(rows.MinuteRows > 0 && rows.MinuteRows == rows.HourRows);

        // Past the minute retention (7 days), still inside the hour retention (10 days).
        factory.Clock.Advance(TimeSpan.FromDays(6));
        var afterEightDays = await factory.SendAsync(new ApplyRetention());
        var afterEightRows = await CountsAsync(factory);

        Assert.Equal(rows.MinuteRows, afterEightDays.MinuteRows);
        Assert.Equal((0, rows.HourRows), (afterEightRows.MinuteRows, afterEightRows.HourRows));

        factory.Clock.Advance(TimeSpan.FromDays(3));
        await factory.SendAsync(new ApplyRetention());

        Assert.Equal(0, (await CountsAsync(factory)).HourRows);
    }

    [Fact]
    public async Task ApplyRetention_DeletesTheLinksOfAConsumerTrace_WhenTheTraceIsDeleted()
    {
        using var factory = new AggregationFactory();
        await LinkingDocsTests.PostAsync(factory, CrossTraceTests.Part("mailer"));
        await factory.AggregateAsync();
        var linksBefore = await factory.WithDbAsync(db => db.TraceLinks.CountAsync());

        factory.Clock.Advance(TimeSpan.FromDays(2));
        var result = await factory.SendAsync(new ApplyRetention());

        Assert.Equal(1, linksBefore);
        Assert.Equal((Traces: 1, TraceLinks: 1), (result.Traces, result.TraceLinks));
        Assert.Equal(0, await factory.WithDbAsync(db => db.TraceLinks.CountAsync()));
    }

    [Fact]
    public void Start_FailsNamingTheKey_WhenTheDeleteBatchSizeIsNotPositive()
    {
        using var factory = new AggregationFactory(settings: new() { ["Retention:DeleteBatchSize"] = "0" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Retention:DeleteBatchSize", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task PostZipkinAsync(AggregationFactory factory, ulong trace, bool clientOnly = false)
    {
        using var client = factory.CreateClient();
        var json = Payloads.ZipkinTrace(trace);
        if (clientOnly)
        {
            // The client span alone: its server's span has not arrived, so the trace is incomplete.
            var spans = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsArray();
            spans.RemoveAt(1);
            json = spans.ToJsonString();
        }
        var response = await client.PostAsync("/api/v2/spans", Payloads.Utf8(json), "application/json");
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
    }

    private static Task<(int Spans, int Traces, int MinuteRows, int HourRows)> CountsAsync(AggregationFactory factory) =>
        factory.WithDbAsync(async db =>
        {
            var minute = BucketResolution.Minute;
            var minuteRows = await db.GraphBuckets.CountAsync(r => r.Resolution == minute)
                + await db.ZipkinLinkPacks.CountAsync(r => r.Resolution == minute)
                + await db.ReliabilityStatistics.CountAsync(r => r.Resolution == minute);
            var hourRows = await db.GraphBuckets.CountAsync(r => r.Resolution != minute)
                + await db.ZipkinLinkPacks.CountAsync(r => r.Resolution != minute)
                + await db.ReliabilityStatistics.CountAsync(r => r.Resolution != minute);
            return (await db.Spans.CountAsync(), (await TraceRunRows.ReadCurrentAsync(db)).Count, minuteRows, hourRows);
        });
}

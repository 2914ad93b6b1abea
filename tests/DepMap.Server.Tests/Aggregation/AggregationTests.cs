using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using DepMap.Storage;
using DepMap.Tests.Shared;
using OpenTelemetry.Exporter;

namespace DepMap.Server.Tests.Aggregation;

public class AggregationTests
{
    private static readonly DateTimeOffset WindowFrom = LogisticsTraffic.DefaultStart.AddHours(-1);
    private static readonly DateTimeOffset WindowTo = LogisticsTraffic.DefaultStart.AddHours(2);

    [Fact]
    public async Task ReadGraphStatistics_HoldsExampleEdgesAndLatencies_WhenSdkSentItAndAggregationFlushed()
    {
        using var factory = new AggregationFactory(kestrel: true);
        // Three traces, the second failing in tracking's database.
        await Task.Run(() => LogisticsTraffic.Send(factory.Address, OtlpExportProtocol.HttpProtobuf, traces: 3, fails: i => i == 1));

        await factory.AggregateAsync();
        var graph = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(WindowFrom, WindowTo));

        Assert.Equal(
            [
                new EdgeKey("logistics", "logistics-db", ConnectionType.Database),
                new EdgeKey("logistics", "tracking", ConnectionType.None),
                new EdgeKey("tracking", "tracking-db", ConnectionType.Database),
                // The entry edge comes from the uninstrumented caller of the root span.
                new EdgeKey("user", "logistics", ConnectionType.VirtualNode),
            ],
            graph.Edges.Keys.Order());
        var rpc = graph.Edges[new EdgeKey("logistics", "tracking", ConnectionType.None)];
        Assert.Equal((3, 1), (rpc.CallCount, rpc.ErrorCount));
        AssertLatency(LogisticsTraffic.Timings.TrackingClient.Duration, rpc.ClientLatency);
        AssertLatency(LogisticsTraffic.Timings.TrackingServer.Duration, rpc.ServerLatency);
        var trackingDb = graph.Edges[new EdgeKey("tracking", "tracking-db", ConnectionType.Database)];
        Assert.Equal((3, 1), (trackingDb.CallCount, trackingDb.ErrorCount));
        AssertLatency(LogisticsTraffic.Timings.TrackingSql.Duration, trackingDb.ClientLatency);
        var logisticsDb = graph.Edges[new EdgeKey("logistics", "logistics-db", ConnectionType.Database)];
        Assert.Equal((3, 0), (logisticsDb.CallCount, logisticsDb.ErrorCount));
        AssertLatency(LogisticsTraffic.Timings.LogisticsSql.Duration, logisticsDb.ClientLatency);
        var entry = graph.Edges[new EdgeKey("user", "logistics", ConnectionType.VirtualNode)];
        AssertLatency(LogisticsTraffic.Timings.ShipmentServer.Duration, entry.ServerLatency);
        Assert.Equal(3, graph.Nodes["tracking"].RequestsServed);
        Assert.Equal(1, graph.Nodes["tracking"].ErrorCount);
    }

    [Fact]
    public async Task ReadZipkinLinksAndReliability_CountExampleCalls_WhenAggregated()
    {
        using var factory = new AggregationFactory();
        await PostOtlpJsonAsync(factory, ExampleTraces.Otlp());

        await factory.AggregateAsync();
        var links = await factory.WithDbAsync(db => db.ReadZipkinLinksAsync(WindowFrom, WindowTo));
        var reliability = await factory.WithDbAsync(db => db.ReadReliabilityAsync(WindowFrom, WindowTo));

        // Zipkin links RPCs only, and a database only where a client span names a remote service.
        Assert.Contains(new DependencyLink("logistics", "tracking", 1, 0), links);
        Assert.Equal(1, reliability.Traces);
        Assert.Equal(["logistics", "tracking"], reliability.Services.Keys);
    }

    [Fact]
    public async Task Aggregate_HoldsAnIncompleteTraceBack_UntilItsGraceHasPassed()
    {
        using var factory = new AggregationFactory(settings: new() { ["Aggregation:SettleSeconds"] = "30" });
        // Logistics' spans alone: its client to tracking is unanswered.
        await PostOtlpJsonAsync(factory, ExampleTraces.OtlpOf("logistics"));

        factory.Clock.Advance(TimeSpan.FromSeconds(29));
        await factory.AggregateAsync(flush: false);
        var early = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(WindowFrom, WindowTo));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await factory.AggregateAsync(flush: false);
        var settled = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(WindowFrom, WindowTo));

        Assert.True(early.IsEmpty);
        Assert.True(settled.Edges.ContainsKey(new EdgeKey("logistics", "tracking", ConnectionType.VirtualNode)));
    }

    [Fact]
    public async Task Aggregate_LinksACompleteTrace_BeforeItsGraceHasPassed()
    {
        using var factory = new AggregationFactory(settings: new() { ["Aggregation:SettleSeconds"] = "30" });
        await PostOtlpJsonAsync(factory, ExampleTraces.Otlp());

        await factory.AggregateAsync(flush: false);
        var graph = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(WindowFrom, WindowTo));

        Assert.Equal(4, graph.Edges.Count);
    }

    [Fact]
    public async Task ReadGraphStatistics_SumsHourAndMinuteBuckets_WhenWindowHasRaggedEnds()
    {
        using var factory = new AggregationFactory();
        await PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        await factory.AggregateAsync();

        // Whole hours from the hour buckets, 23:59 and 01:00-01:01 from minute buckets: the trace at 00:00 counts once.
        var wide = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(ExampleTraces.Start.AddMinutes(-1), ExampleTraces.Start.AddMinutes(61.5)));
        var minuteOnly = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(ExampleTraces.Start, ExampleTraces.Start.AddSeconds(30)));
        var before = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(ExampleTraces.Start.AddHours(-2), ExampleTraces.Start));

        Assert.Equal(1, wide.Edges[new EdgeKey("logistics", "tracking", ConnectionType.None)].CallCount);
        Assert.Equal(1, minuteOnly.Edges[new EdgeKey("logistics", "tracking", ConnectionType.None)].CallCount);
        Assert.True(before.IsEmpty);
    }

    internal static async Task PostOtlpJsonAsync(AggregationFactory factory, byte[] body)
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsync("/v1/traces", body, "application/json");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    private static void AssertLatency(int expectedMs, LatencySketch sketch)
    {
        // The sketch keeps values within its relative accuracy; every call of the example has the same duration.
        var expectedNano = expectedMs * 1_000_000.0;
        Assert.InRange(sketch.Quantile(0.5), expectedNano * (1 - 2 * LatencySketch.RelativeAccuracy), expectedNano * (1 + 2 * LatencySketch.RelativeAccuracy));
    }
}

using System.Net;
using System.Text;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>
/// Tempo's messaging and unpaired series, fed by a flushed aggregation and counted from the second
/// scrape after the series is born (docs/metrics.md, "Born at zero").
/// </summary>
public sealed class ServiceGraphSeriesTests
{
    [Fact]
    public async Task MessagingSystemSeconds_ObservesTheGapFromProducerEndToConsumerStart_WhenTracesGoThroughKafka()
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();
        var before = await MetricsText.ScrapeAsync(client);

        // Each trace: orders' producer ends 9 ms after the trace starts, billing's consumer starts at 60 ms.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v2/spans", ServiceGraphTraffic.Zipkin(traces: 3), "application/json")).StatusCode);
        var after = await FlushAndScrapeTwiceAsync(client);

        const string Edge = "{client=\"orders\",server=\"billing\",connection_type=\"messaging_system\"}";
        Assert.Equal(3, after.Increase(before, "traces_service_graph_request_messaging_system_seconds_count" + Edge));
        Assert.Equal(3 * 0.051, after.Increase(before, "traces_service_graph_request_messaging_system_seconds_sum" + Edge), 1e-9);
        Assert.Equal(3, after.Increase(before, "traces_service_graph_request_messaging_system_seconds_bucket{client=\"orders\",server=\"billing\",connection_type=\"messaging_system\",le=\"0.1\"}"));
        // Messaging edges only: the RPC edge of the same traces has no such series.
        Assert.Null(after.Value("traces_service_graph_request_messaging_system_seconds_count{client=\"gateway\",server=\"orders\",connection_type=\"\"}"));
    }

    [Fact]
    public async Task UnpairedSpans_CountsClientAndProducerSpansWithNoPeerToName_WhenNoServerSpanArrives()
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();
        var before = await MetricsText.ScrapeAsync(client);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v2/spans", Encoding.UTF8.GetBytes(CheckoutTrace), "application/json")).StatusCode);
        var after = await FlushAndScrapeTwiceAsync(client);

        Assert.Equal(2, after.Increase(before, "traces_service_graph_unpaired_spans_total{client=\"checkout\",server=\"\",connection_type=\"\"}"));
        // The client span that names its peer is a call to an uninstrumented service, not unpaired.
        Assert.Equal(1, after.Increase(before, "traces_service_graph_request_total{client=\"checkout\",server=\"fraud\",connection_type=\"virtual_node\"}"));
    }

    /// <summary>
    /// checkout serves a request and makes three calls no server answers: a client span naming
    /// <c>fraud</c>, and a client and a producer span that name no peer at all.
    /// </summary>
    private const string CheckoutTrace = """
        [
          {"traceId":"00000000000000000000000000c0ffee","id":"0000000000000001","kind":"SERVER","name":"POST /checkout",
           "timestamp":1740830400000000,"duration":50000,"localEndpoint":{"serviceName":"checkout"}},
          {"traceId":"00000000000000000000000000c0ffee","parentId":"0000000000000001","id":"0000000000000002","kind":"CLIENT",
           "name":"POST /score","timestamp":1740830400001000,"duration":10000,"localEndpoint":{"serviceName":"checkout"},
           "remoteEndpoint":{"serviceName":"fraud"}},
          {"traceId":"00000000000000000000000000c0ffee","parentId":"0000000000000001","id":"0000000000000003","kind":"CLIENT",
           "name":"GET","timestamp":1740830400012000,"duration":10000,"localEndpoint":{"serviceName":"checkout"}},
          {"traceId":"00000000000000000000000000c0ffee","parentId":"0000000000000001","id":"0000000000000004","kind":"PRODUCER",
           "name":"send","timestamp":1740830400023000,"duration":2000,"localEndpoint":{"serviceName":"checkout"}}
        ]
        """;

    /// <summary>Links everything, then scrapes twice: the first sees new series at zero, the second counts them.</summary>
    private static async Task<MetricsText> FlushAndScrapeTwiceAsync(HttpClient client)
    {
        Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);
        await MetricsText.ScrapeAsync(client);
        return await MetricsText.ScrapeAsync(client);
    }
}

using System.Net;
using DepMap.Server.Tests.Features.Ingest;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>
/// depmap_ingest_spans_refused_total and depmap_ingest_queue_spans move as docs/metrics.md says,
/// through real requests; the writer is held by a second connection on the span file (as in
/// <see cref="BackpressureTests"/>), not by a hook in the app.
/// </summary>
public sealed class IngestMetricsTests
{
    private const string Zipkin = "/api/v2/spans";

    [Theory]
    // Nothing usable: Zipkin and Jaeger answer 400, and the span is still a refused span.
    [InlineData(Zipkin, "[{}]", "zipkin", HttpStatusCode.BadRequest, 1)]
    [InlineData(Zipkin, """[{"traceId":"00000000000000000000000000000abc","name":"no id"},{}]""", "zipkin", HttpStatusCode.BadRequest, 2)]
    [InlineData("/api/traces", """
        {"data":[{"traceID":"00000000000000000000000000000abc","spans":[
          {"traceID":"00000000000000000000000000000abc","spanID":"","operationName":"HTTP GET",
           "startTime":1700000000000000,"duration":5000,"processID":"p1"}],
          "processes":{"p1":{"serviceName":"inventory"}}}]}
        """, "jaeger", HttpStatusCode.BadRequest, 1)]
    public async Task SpansRefused_CountsInvalidSpansByProtocol_WhenNoSpanOfThePayloadIsUsable(
        string path, string body, string protocol, HttpStatusCode status, int refused)
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();
        var before = await MetricsText.ScrapeAsync(client);

        Assert.Equal(status, (await client.PostAsync(path, Payloads.Utf8(body), "application/json")).StatusCode);

        var after = await MetricsText.ScrapeAsync(client);
        Assert.Equal(refused, after.Increase(before, $"depmap_ingest_spans_refused_total{{protocol=\"{protocol}\",reason=\"invalid_span\"}}"));
        // Decoded, then refused span by span: not a refused payload.
        Assert.Equal(0, after.Increase(before, $"depmap_ingest_payloads_refused_total{{protocol=\"{protocol}\",reason=\"malformed\"}}"));
    }

    [Fact]
    public async Task NamesTruncated_CountsEachNameCutAtIngest_ByProtocol()
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();
        // Both services past the cap, and the client's peer.service: three names cut, the spans stored.
        var longName = new string('s', DepMap.Core.Spans.Span.MaxNameLength + 1);
        var body = Payloads.ZipkinTrace(Payloads.NewTraceIdLow()).Replace("\"frontend\"", $"\"{longName}\"", StringComparison.Ordinal)
            .Replace("\"backend\"", $"\"{longName}b\"", StringComparison.Ordinal);
        var before = await MetricsText.ScrapeAsync(client);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync(Zipkin, Payloads.Utf8(body), "application/json")).StatusCode);

        var after = await MetricsText.ScrapeAsync(client);
        Assert.Equal(3, after.Increase(before, "depmap_ingest_names_truncated_total{protocol=\"zipkin\"}"));
        Assert.Equal(2, after.Increase(before, "depmap_ingest_spans_received_total{protocol=\"zipkin\"}"));
    }

    [Fact]
    public async Task SpansRefused_CountsOnlyTheSpansWithoutIds_WhenTheRestOfThePayloadIsStored()
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();
        var valid = Payloads.ZipkinTrace(Payloads.NewTraceIdLow()).Trim().TrimEnd(']');
        var body = valid + """,{"traceId":"00000000000000000000000000000abc","name":"no id"},{}]""";
        var before = await MetricsText.ScrapeAsync(client);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync(Zipkin, Payloads.Utf8(body), "application/json")).StatusCode);

        var after = await MetricsText.ScrapeAsync(client);
        Assert.Equal(2, after.Increase(before, "depmap_ingest_spans_refused_total{protocol=\"zipkin\",reason=\"invalid_span\"}"));
        Assert.Equal(2, after.Increase(before, "depmap_ingest_spans_received_total{protocol=\"zipkin\"}"));
    }

    [Fact]
    public async Task QueueSpans_ShowsTheSpansWaitingAndRefusedCountsQueueFull_WhenTheWriterIsHeld()
    {
        using var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new() { ["Ingest:QueueCapacitySpans"] = "2" });
        using var client = factory.CreateClient();
        var before = await MetricsText.ScrapeAsync(client);
        Assert.Equal(0, before.Value("depmap_ingest_queue_spans"));

        Task<HttpResponseMessage> held;
        MetricsText holding;
        HttpResponseMessage refused;
        using (await BackpressureTests.HoldWriteLockAsync(factory))
        {
            held = client.PostAsync(Zipkin, Payloads.Utf8(Payloads.ZipkinTrace(Payloads.NewTraceIdLow())), "application/json");
            holding = await ScrapeUntilAsync(client, m => m.Value("depmap_ingest_queue_spans") == 2);
            refused = await client.PostAsync(Zipkin, Payloads.Utf8(Payloads.ZipkinTrace(Payloads.NewTraceIdLow())), "application/json");
        }
        Assert.Equal(HttpStatusCode.Accepted, (await held).StatusCode);

        Assert.Equal(2, holding.Value("depmap_ingest_queue_spans"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var after = await MetricsText.ScrapeAsync(client);
        Assert.Equal(0, after.Value("depmap_ingest_queue_spans"));
        Assert.Equal(2, after.Increase(before, "depmap_ingest_spans_refused_total{protocol=\"zipkin\",reason=\"queue_full\"}"));
        Assert.Equal(2, after.Increase(before, "depmap_ingest_spans_received_total{protocol=\"zipkin\"}"));
    }

    /// <summary>Scrapes until <paramref name="done"/> holds, for at most five seconds; the last scrape either way.</summary>
    private static async Task<MetricsText> ScrapeUntilAsync(HttpClient client, Func<MetricsText, bool> done)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        MetricsText scrape;
        while (!done(scrape = await MetricsText.ScrapeAsync(client)) && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }
        return scrape;
    }
}

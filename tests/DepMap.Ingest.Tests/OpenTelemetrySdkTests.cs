using DepMap.Core.Spans;
using DepMap.Tests.Shared;
using OpenTelemetry.Exporter;

namespace DepMap.Ingest.Tests;

/// <summary>Payloads from the real OpenTelemetry .NET SDK exporter, caught on the wire and decoded.</summary>
public class OpenTelemetrySdkTests
{
    private const long Ms = 1_000_000;

    [Fact]
    public void Decode_ReadsTheExampleTrace_WhenSentByTheOtlpHttpExporter()
    {
        using var server = new OtlpCaptureServer();

        LogisticsTraffic.Send(server.BaseUri, OtlpExportProtocol.HttpProtobuf, traces: 2, fails: i => i == 1);

        var requests = server.Requests.ToArray();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal("/v1/traces", r.Path));
        Assert.All(requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.All(requests, r => Assert.Equal(TraceFormat.OtlpProtobuf, SpanDecoders.Detect(r.Body)));
        var spans = requests.SelectMany(r => SpanDecoders.Decode(TraceFormat.OtlpProtobuf, r.Body).Spans).ToList();
        Assert.Equal(12, spans.Count);
        var traces = spans.GroupBy(s => s.TraceId).OrderBy(g => g.Min(s => s.StartUnixNano)).ToList();
        Assert.Equal(2, traces.Count);
        AssertExampleTrace(traces[0].ToList(), LogisticsTraffic.DefaultStart.ToUnixTimeMilliseconds() * Ms, failed: false);
        AssertExampleTrace(traces[1].ToList(), LogisticsTraffic.DefaultStart.AddSeconds(1).ToUnixTimeMilliseconds() * Ms, failed: true);

        // Set DEPMAP_UPDATE_GOLDEN to this project's Golden folder to refresh the committed capture.
        if (Environment.GetEnvironmentVariable("DEPMAP_UPDATE_GOLDEN") is { Length: > 0 } golden)
        {
            File.WriteAllBytes(Path.Combine(golden, "otlp-dotnet-sdk-logistics.pb"), requests.First(r => SpanDecoders.Decode(TraceFormat.OtlpProtobuf, r.Body).Spans.Count == 8).Body);
        }
    }

    [Fact]
    public void Decode_ReadsTheCommittedSdkCapture_WhenGolden()
    {
        // One request body of OpenTelemetry .NET 1.20.1's OTLP/HTTP exporter: logistics' spans of two traces, the second failed.
        var body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", "otlp-dotnet-sdk-logistics.pb"));

        var batch = SpanDecoders.Decode(TraceFormat.OtlpProtobuf, body);

        Assert.Equal(0, batch.RejectedSpans);
        Assert.Equal(8, batch.Spans.Count);
        Assert.All(batch.Spans, s => Assert.Equal("logistics", s.LocalService));
        var first = batch.Spans.Where(s => s.StartUnixNano < LogisticsTraffic.DefaultStart.AddSeconds(1).ToUnixTimeMilliseconds() * Ms).ToList();
        Assert.Equal(4, first.Count);
        var server = Assert.Single(first, s => s.Kind == SpanKind.Server);
        Assert.Equal("GET /shipment/:id", server.Name);
        Assert.Equal(100 * Ms, server.DurationNano);
        var sql = Assert.Single(first, s => s.Name == "SQL select");
        Assert.Equal(server.SpanId, sql.ParentId);
        Assert.Equal(30 * Ms, sql.DurationNano);
        Assert.Equal("logistics-db", sql.DbNamespace);
        var failed = batch.Spans.Where(s => s.Error).Select(s => (s.Name, s.StartUnixNano - server.StartUnixNano)).Order();
        Assert.Equal([("GET /shipment/:id", 1000 * Ms), ("GET /tracking/:id", 1042 * Ms)], failed);
    }

    /// <summary>The six spans of one example trace, their tree, services, kinds, exact latencies and attributes.</summary>
    internal static void AssertExampleTrace(IReadOnlyList<Span> trace, long t0, bool failed, bool zipkinKinds = false)
    {
        Assert.Equal(6, trace.Count);
        Span One(string service, string name, SpanKind kind) =>
            Assert.Single(trace, s => s.LocalService == service && s.Name == name && s.Kind == kind);

        var shipment = One("logistics", "GET /shipment/:id", SpanKind.Server);
        var processing = One("logistics", "logistics processing", zipkinKinds ? SpanKind.Unspecified : SpanKind.Internal);
        var logisticsSql = One("logistics", "SQL select", SpanKind.Client);
        var trackingClient = One("logistics", "GET /tracking/:id", SpanKind.Client);
        var trackingServer = One("tracking", "GET /tracking/:id", SpanKind.Server);
        var trackingSql = One("tracking", "SQL select", SpanKind.Client);

        Assert.Equal(0UL, shipment.ParentId);
        Assert.Equal(shipment.SpanId, processing.ParentId);
        Assert.Equal(shipment.SpanId, logisticsSql.ParentId);
        Assert.Equal(shipment.SpanId, trackingClient.ParentId);
        Assert.Equal(trackingClient.SpanId, trackingServer.ParentId);
        Assert.Equal(trackingServer.SpanId, trackingSql.ParentId);

        Assert.Equal((t0, 100 * Ms), (shipment.StartUnixNano, shipment.DurationNano));
        Assert.Equal((t0 + (1 * Ms), 10 * Ms), (processing.StartUnixNano, processing.DurationNano));
        Assert.Equal((t0 + (11 * Ms), 30 * Ms), (logisticsSql.StartUnixNano, logisticsSql.DurationNano));
        Assert.Equal((t0 + (42 * Ms), 50 * Ms), (trackingClient.StartUnixNano, trackingClient.DurationNano));
        Assert.Equal((t0 + (44 * Ms), 46 * Ms), (trackingServer.StartUnixNano, trackingServer.DurationNano));
        Assert.Equal((t0 + (46 * Ms), 20 * Ms), (trackingSql.StartUnixNano, trackingSql.DurationNano));

        Assert.Equal(("postgresql", "logistics-db"), (logisticsSql.DbSystemName, logisticsSql.DbNamespace));
        Assert.Equal(("postgresql", "tracking-db"), (trackingSql.DbSystemName, trackingSql.DbNamespace));
        Assert.Equal(("tracking", "tracking", 8080), (trackingClient.PeerService, trackingClient.ServerAddress, trackingClient.ServerPort));
        Assert.Equal(failed ? 500 : 200, trackingServer.HttpResponseStatusCode);
        Assert.Equal([failed, false, false, failed, failed, failed],
            new[] { shipment, processing, logisticsSql, trackingClient, trackingServer, trackingSql }.Select(s => s.Error));
    }
}

using System.Diagnostics;
using DepMap.Core.Spans;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SpanKind = DepMap.Core.Spans.SpanKind;

namespace DepMap.Server.Tests.Features.Ingest;

/// <summary>
/// The real OpenTelemetry .NET SDK exporter sends the docs' example (logistics serving
/// GET /shipment/:id and calling tracking) to the real app; the rows must be in the database.
/// </summary>
public class OtlpExporterTests
{
    [Collection(GrpcCollection.Name)]
    public class OverGrpc(GrpcDepMapFactory factory)
    {
        [Fact]
        public async Task Export_StoresEverySpan_WhenSdkSendsOverGrpc()
        {
            var trace = SendExampleTrace(nameof(OverGrpc), exporter =>
            {
                exporter.Protocol = OtlpExportProtocol.Grpc;
                exporter.Endpoint = factory.Address;
            });

            await AssertExampleStoredAsync(factory, trace);
        }
    }

    [Collection(HttpCollection.Name)]
    public class OverHttpProtobuf(HttpDepMapFactory factory)
    {
        [Fact]
        public async Task Export_StoresEverySpan_WhenSdkSendsOverHttpProtobuf()
        {
            var trace = SendExampleTrace(nameof(OverHttpProtobuf), exporter =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(factory.Address, "/v1/traces");
            });

            await AssertExampleStoredAsync(factory, trace);
        }
    }

    private static ActivityTraceId SendExampleTrace(string sourceName, Action<OtlpExporterOptions> configure)
    {
        // One source per test: an SDK listener hears every source of its name in the process.
        var source = $"DepMap.Tests.{sourceName}";
        using var activities = new ActivitySource(source);
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("logistics"))
            .AddOtlpExporter(exporter =>
            {
                exporter.ExportProcessorType = ExportProcessorType.Simple;
                configure(exporter);
            })
            .Build())
        {
            ActivityTraceId trace;
            using (var server = activities.StartActivity("GET /shipment/:id", ActivityKind.Server)!)
            {
                trace = server.TraceId;
                using var client = activities.StartActivity("GET /tracking/:id", ActivityKind.Client)!;
                client.SetTag("peer.service", "tracking");
                client.SetStatus(ActivityStatusCode.Error);
            }
            Assert.True(provider.ForceFlush(10_000));
            return trace;
        }
    }

    private static async Task AssertExampleStoredAsync(DepMapFactory factory, ActivityTraceId trace)
    {
        Assert.True(TraceId.TryParse(trace.ToHexString(), out var id));
        var spans = (await factory.StoredSpansAsync(id.Low)).Select(r => r.ToSpan()).ToList();

        Assert.Equal(2, spans.Count);
        Assert.All(spans, s => Assert.Equal((id, "logistics"), (s.TraceId, s.LocalService)));
        var server = Assert.Single(spans, s => s.Kind == SpanKind.Server);
        var client = Assert.Single(spans, s => s.Kind == SpanKind.Client);
        Assert.Equal(("GET /shipment/:id", false), (server.Name, server.Error));
        Assert.Equal(("GET /tracking/:id", "tracking", true), (client.Name, client.PeerService, client.Error));
        Assert.Equal(server.SpanId, client.ParentId);
    }
}
